package io.hardneg.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.hardneg.broker.BrokerOptions;
import io.hardneg.broker.EmbeddedKafkaBroker;
import io.hardneg.config.ConfigLoader;
import io.hardneg.data.LabeledImages;
import io.hardneg.data.PngEncoder;
import io.hardneg.service.HardnegService;
import io.hardneg.stream.PipelineObserver;
import io.hardneg.stream.RecordHeaderNames;
import io.hardneg.stream.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The failed-inference policy on the real broker, with a model that throws at run time on any batch holding an
 * all-white image ({@code src/test/resources/models/fails-on-white}): the batch is retried once, then image by
 * image; the white images are dead-lettered {@code INFERENCE_FAILED}, their batch-mates are embedded, and the
 * stream goes on to the end (no silent stall).
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class FailedInferenceIT {

    static final String MODEL = "src/test/resources/models/fails-on-white/1";

    @Test
    void shouldDeadLetterOnlyTheImagesTheModelFailsOnAndKeepStreaming() throws Exception {
        int good = 600;
        int white = 6;
        LabeledImages sample = StreamingScenario.sample(good);
        byte[] whitePixels = new byte[28 * 28];
        Arrays.fill(whitePixels, (byte) 255);
        byte[] whitePng = PngEncoder.gray(whitePixels, 28, 28);
        long t0 = System.nanoTime();
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(BrokerOptions.defaults())) {
            Map<String, String> m = Map.of("bootstrap.servers", broker.bootstrapServers(), "application.id",
                    "it-failed-inference", "model.path", MODEL, "mining.rate-limit.per-label", "0",
                    "output.include-images", "false", "http.port", "0");
            try (HardnegService service = HardnegService.start(ConfigLoader.fromMap(m), PipelineObserver.NONE)) {
                assertThat(service.awaitRunning(Duration.ofSeconds(90))).isTrue();
                // Given white images spread through the stream, one partition, so each shares a batch with good ones
                Map<String, Object> p = new HashMap<>();
                p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
                try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(),
                        new ByteArraySerializer())) {
                    int w = 0;
                    for (int i = 0; i < good; i++) {
                        if (i % (good / white) == good / white / 2 && w < white) {
                            send(producer, "white-" + w++, whitePng, "0");
                        }
                        send(producer, "img-" + i, PngEncoder.gray(sample.image(i), 28, 28),
                                Integer.toString(sample.labels()[i]));
                    }
                    producer.flush();
                }
                // When the service has processed them all (a stall fails here)
                StreamingScenario.awaitProcessed(broker.bootstrapServers(), good + white, Duration.ofMinutes(2));
            }
            long seconds = (System.nanoTime() - t0) / 1_000_000_000;
            // Then only the white ones are dead letters, with INFERENCE_FAILED, once each
            Map<String, Integer> embedded = new HashMap<>();
            for (ConsumerRecord<byte[], byte[]> r : TopicContents.readAll(broker.bootstrapServers(), Topics.EMBEDDINGS.name())) {
                embedded.merge(new String(r.key(), StandardCharsets.UTF_8), 1, Integer::sum);
            }
            Map<String, String> dlq = new TreeMap<>();
            for (ConsumerRecord<byte[], byte[]> r : TopicContents.readAll(broker.bootstrapServers(), Topics.DLQ.name())) {
                String prev = dlq.put(new String(r.key(), StandardCharsets.UTF_8),
                        new String(r.headers().lastHeader(RecordHeaderNames.ERROR_CODE).value(), StandardCharsets.UTF_8));
                assertThat(prev).as("dead-lettered once").isNull();
            }
            Figures.record("failed inference", "inputs=" + (good + white) + " embedded=" + embedded.size()
                    + " dead_lettered=" + dlq.size() + " by_code={INFERENCE_FAILED=" + dlq.values().stream()
                    .filter("INFERENCE_FAILED"::equals).count() + "} duration_s=" + seconds);
            assertThat(dlq).hasSize(white).allSatisfy((id, code) -> {
                assertThat(id).startsWith("white-");
                assertThat(code).isEqualTo("INFERENCE_FAILED");
            });
            assertThat(embedded).hasSize(good).allSatisfy((id, count) -> assertThat(count).isEqualTo(1));
        }
    }

    private static void send(KafkaProducer<byte[], byte[]> producer, String id, byte[] png, String label) {
        ProducerRecord<byte[], byte[]> r = new ProducerRecord<>(Topics.IMAGES.name(), 0,
                id.getBytes(StandardCharsets.UTF_8), png);
        r.headers().add(RecordHeaderNames.LABEL, label.getBytes(StandardCharsets.UTF_8));
        producer.send(r);
    }
}
