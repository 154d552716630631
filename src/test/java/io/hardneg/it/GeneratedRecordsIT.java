package io.hardneg.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.hardneg.broker.BrokerOptions;
import io.hardneg.broker.EmbeddedKafkaBroker;
import io.hardneg.config.ConfigLoader;
import io.hardneg.config.HardnegConfig;
import io.hardneg.error.ErrorCode;
import io.hardneg.fuzz.HostileInputs;
import io.hardneg.fuzz.HostileInputs.HostileRecord;
import io.hardneg.service.HardnegService;
import io.hardneg.stream.PipelineObserver;
import io.hardneg.stream.RecordHeaderNames;
import io.hardneg.stream.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import net.jqwik.api.Example;
import net.jqwik.api.RandomGenerator;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The fuzz suite's generated records (mutated images, bombs, random bytes, hostile labels, malformed and too many
 * headers) through the running service on the in-process broker: each is embedded or dead-lettered exactly once, with
 * a documented code, and the stream never stops. {@code -Dhardneg.it.generated.records=N} (default 300),
 * {@code -Dhardneg.it.generated.seed=S} (default 20240611). A jqwik example, not a JUnit test: jqwik generators
 * run only on jqwik's threads; the waits below are bounded, so it needs no JUnit timeout.
 */
class GeneratedRecordsIT {

    static final int MAX_BYTES = 64 << 10;
    static final long MAX_PIXELS = 1 << 20;
    static final int MAX_LABEL = 128;
    static final int MAX_HEADERS = 64;

    @Example
    void shouldEmbedOrDeadLetterEveryGeneratedRecordExactlyOnce() throws Exception {
        int n = Integer.getInteger("hardneg.it.generated.records", 300);
        long seed = Long.getLong("hardneg.it.generated.seed", 20240611L);
        RandomGenerator<HostileRecord> generator =
                HostileInputs.records(MAX_BYTES, MAX_PIXELS, MAX_LABEL, MAX_HEADERS).generator(1000);
        Random random = new Random(seed);
        List<HostileRecord> records = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            records.add(generator.next(random).value());
        }
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(BrokerOptions.defaults())) {
            Map<String, String> m = new HashMap<>(Map.of("bootstrap.servers", broker.bootstrapServers(),
                    "application.id", "it-generated", "input.max-bytes", Integer.toString(MAX_BYTES),
                    "input.max-pixels", Long.toString(MAX_PIXELS), "input.label.max-length",
                    Integer.toString(MAX_LABEL), "input.headers.max", Integer.toString(MAX_HEADERS),
                    "mining.rate-limit.per-label", "0", "output.include-images", "false", "http.port", "0"));
            String model = System.getProperty("hardneg.it.model");
            if (model != null && !model.isBlank()) {
                m.put("model.path", model);
            }
            HardnegConfig config = ConfigLoader.fromMap(m);
            try (HardnegService service = HardnegService.start(config, PipelineObserver.NONE)) {
                assertThat(service.awaitRunning(Duration.ofSeconds(90))).isTrue();
                // Given n generated records, keyed gen-0 … gen-(n-1), spread over the partitions
                try (KafkaProducer<byte[], byte[]> producer = producer(broker.bootstrapServers())) {
                    for (int i = 0; i < n; i++) {
                        HostileRecord r = records.get(i);
                        producer.send(new ProducerRecord<>(Topics.IMAGES.name(), null, key(i), r.value(),
                                r.headers()));
                    }
                    producer.flush();
                }
                // When the service has processed every one (it would time out here if the stream stopped)
                StreamingScenario.awaitProcessed(broker.bootstrapServers(), n, Duration.ofMinutes(3));
                assertThat(service.awaitRunning(Duration.ofSeconds(1))).as("still running").isTrue();
            }
            // Then each key is embedded once or dead-lettered once with a documented input code, never both
            Map<String, Integer> embedded = new HashMap<>();
            for (ConsumerRecord<byte[], byte[]> r : TopicContents.readAll(broker.bootstrapServers(),
                    Topics.EMBEDDINGS.name())) {
                embedded.merge(new String(r.key(), StandardCharsets.UTF_8), 1, Integer::sum);
            }
            Map<String, Integer> dead = new HashMap<>();
            Map<String, Integer> byCode = new TreeMap<>();
            List<String> documented = Arrays.stream(ErrorCode.values()).filter(c -> c != ErrorCode.INFERENCE_FAILED)
                    .map(Enum::name).toList();
            for (ConsumerRecord<byte[], byte[]> r : TopicContents.readAll(broker.bootstrapServers(),
                    Topics.DLQ.name())) {
                String id = new String(r.key(), StandardCharsets.UTF_8);
                assertThat(r.headers().lastHeader(RecordHeaderNames.ERROR_CODE)).as("%s: hardneg's own dead letter, "
                        + "not Kafka Streams' (an exception escaped)", id).isNotNull();
                String code = new String(r.headers().lastHeader(RecordHeaderNames.ERROR_CODE).value(),
                        StandardCharsets.UTF_8);
                assertThat(code).as("%s (%s)", id, records.get(index(id))).isIn(documented);
                dead.merge(id, 1, Integer::sum);
                byCode.merge(code, 1, Integer::sum);
            }
            for (int i = 0; i < n; i++) {
                String id = "gen-" + i;
                int outcomes = embedded.getOrDefault(id, 0) + dead.getOrDefault(id, 0);
                assertThat(outcomes).as("%s (%s): embeddings + dead letters", id, records.get(i)).isEqualTo(1);
            }
            int embeddedTotal = embedded.values().stream().mapToInt(Integer::intValue).sum();
            Figures.record("generated records", "inputs=" + n + " seed=" + seed + " embedded=" + embeddedTotal
                    + " dead_lettered=" + dead.values().stream().mapToInt(Integer::intValue).sum() + " by_code="
                    + byCode);
            // Both outcomes happen: the generator is not all bombs, nor all valid images
            assertThat(embeddedTotal).isPositive().isLessThan(n);
        }
    }

    private static byte[] key(int i) {
        return ("gen-" + i).getBytes(StandardCharsets.UTF_8);
    }

    private static int index(String id) {
        return Integer.parseInt(id.substring("gen-".length()));
    }

    private static KafkaProducer<byte[], byte[]> producer(String bootstrap) {
        Map<String, Object> p = new HashMap<>();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(16 << 20));
        return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }
}
