package io.hardneg.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.hardneg.broker.BrokerOptions;
import io.hardneg.broker.EmbeddedKafkaBroker;
import io.hardneg.config.ConfigLoader;
import io.hardneg.config.HardnegConfig;
import io.hardneg.data.LabeledImages;
import io.hardneg.data.PngEncoder;
import io.hardneg.service.HardnegService;
import io.hardneg.stream.PipelineObserver;
import io.hardneg.stream.RecordHeaderNames;
import io.hardneg.stream.Topics;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Every kind of hostile input from the committed corpus (src/test/resources/hostile) and the header-level ones,
 * each between two good neighbours in the same partition (so in the same batch): each is either embedded or
 * dead-lettered with its own {@code error.code}, the stream never stops, the neighbours are embedded, and at the
 * end inputs = embeddings + dead letters exactly.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class HostileInputIT {

    /** Small enough that large-valid.png (10,362 bytes) is over it, large enough for every other corpus file. */
    static final int MAX_BYTES = 8192;
    static final String EMBEDDED = "embedded";

    /** One hostile record: its key (null for the null-key kind), value, headers, and the expected outcome. */
    record Kind(String name, byte[] key, byte[] value, RecordHeaders headers, String expected) {
    }

    static List<Kind> kinds() {
        List<Kind> k = new ArrayList<>();
        file(k, "empty value (0 bytes)", "empty.bin", "EMPTY");
        k.add(new Kind("null value (tombstone)", key("null-value"), null, label("1"), "EMPTY"));
        file(k, "random bytes", "random.bin", "UNSUPPORTED_FORMAT");
        file(k, "text starting with BM", "text.txt", "UNSUPPORTED_FORMAT");
        file(k, "truncated PNG", "truncated.png", "TRUNCATED");
        file(k, "truncated JPEG", "truncated.jpg", "TRUNCATED");
        file(k, "PNG header claiming 50,000x50,000", "bomb-50000x50000.png", "TOO_MANY_PIXELS");
        file(k, "RLE BMP claiming 20,000x20,000", "bomb-20000x20000.bmp", "TOO_MANY_PIXELS");
        file(k, "0x0 PNG", "zero-size.png", "EMPTY_IMAGE");
        file(k, "PNG with a corrupt IDAT", "corrupt-idat.png", "UNDECODABLE");
        file(k, "1x1 PNG", "one-pixel.png", EMBEDDED);
        file(k, "16-bit gray PNG", "gray16.png", EMBEDDED);
        file(k, "palette PNG with transparency", "palette-transparent.png", EMBEDDED);
        file(k, "RGBA PNG", "rgba.png", EMBEDDED);
        file(k, "CMYK JPEG", "cmyk.jpg", EMBEDDED);
        file(k, "YCCK JPEG", "ycck.jpg", EMBEDDED);
        file(k, "animated GIF (first frame)", "animated.gif", EMBEDDED);
        file(k, "24-bit BMP", "bmp.bmp", EMBEDDED);
        file(k, "TIFF (refused on purpose)", "image.tiff", "UNSUPPORTED_FORMAT");
        file(k, "WebP", "fake.webp", "UNSUPPORTED_FORMAT");
        file(k, "valid PNG over input.max-bytes", "large-valid.png", "TOO_LARGE");
        byte[] good = corpus("gray28.png");
        RecordHeaders badUtf8 = new RecordHeaders();
        badUtf8.add(RecordHeaderNames.LABEL, new byte[] {(byte) 0xC3, 0x28, (byte) 0xFF});
        k.add(new Kind("label not valid UTF-8", key("label-utf8"), good, badUtf8, "INVALID_LABEL"));
        RecordHeaders empty = new RecordHeaders();
        empty.add(RecordHeaderNames.LABEL, new byte[0]);
        k.add(new Kind("label empty", key("label-empty"), good, empty, "INVALID_LABEL"));
        k.add(new Kind("label over input.label.max-length", key("label-long"), good, label("x".repeat(129)),
                "INVALID_LABEL"));
        RecordHeaders many = label("1");
        for (int i = 0; i < 10_000; i++) {
            many.add("h" + i, new byte[] {1});
        }
        k.add(new Kind("10,000 headers", key("many-headers"), good, many, "TOO_MANY_HEADERS"));
        k.add(new Kind("null key", null, good, label("1"), EMBEDDED));
        return k;
    }

    @Test
    void shouldEmbedOrDeadLetterEachHostileKindWithoutHurtingItsNeighbours() throws Exception {
        List<Kind> kinds = kinds();
        assertThat(kinds).hasSizeGreaterThanOrEqualTo(15);
        LabeledImages sample = StreamingScenario.sample(2 * kinds.size() + 2);
        long t0 = System.nanoTime();
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(BrokerOptions.defaults())) {
            Map<String, String> m = new HashMap<>(Map.of("bootstrap.servers", broker.bootstrapServers(),
                    "application.id", "it-hostile", "input.max-bytes", Integer.toString(MAX_BYTES),
                    "mining.rate-limit.per-label", "0", "output.include-images", "false", "http.port", "0"));
            String model = System.getProperty("hardneg.it.model");
            if (model != null && !model.isBlank()) {
                m.put("model.path", model);
            }
            HardnegConfig config = ConfigLoader.fromMap(m);
            Map<String, String> goodIds = new LinkedHashMap<>();
            int inputs = 0;
            try (HardnegService service = HardnegService.start(config, PipelineObserver.NONE)) {
                assertThat(service.awaitRunning(Duration.ofSeconds(90))).isTrue();
                // Given each hostile record between two good ones, all in partition 0, sent in one go
                try (KafkaProducer<byte[], byte[]> producer = producer(broker.bootstrapServers())) {
                    int g = 0;
                    for (Kind kind : kinds) {
                        g = sendGood(producer, sample, g, goodIds);
                        producer.send(new ProducerRecord<>(Topics.IMAGES.name(), 0, kind.key(), kind.value(),
                                kind.headers()));
                        inputs += 1;
                    }
                    g = sendGood(producer, sample, g, goodIds);
                    inputs += g;
                    producer.flush();
                }
                // When the service has processed every input
                StreamingScenario.awaitProcessed(broker.bootstrapServers(), inputs, Duration.ofMinutes(2));
            }
            long seconds = (System.nanoTime() - t0) / 1_000_000_000;
            // Then each kind has its outcome, exactly once, and nothing else happened
            Map<String, Integer> embeddings = new HashMap<>();
            for (ConsumerRecord<byte[], byte[]> r : TopicContents.readAll(broker.bootstrapServers(), Topics.EMBEDDINGS.name())) {
                embeddings.merge(new String(r.key(), StandardCharsets.UTF_8), 1, Integer::sum);
            }
            Map<String, List<String>> dlq = new HashMap<>();
            Map<String, Integer> byCode = new TreeMap<>();
            List<ConsumerRecord<byte[], byte[]>> dead = TopicContents.readAll(broker.bootstrapServers(), Topics.DLQ.name());
            for (ConsumerRecord<byte[], byte[]> r : dead) {
                String code = new String(r.headers().lastHeader(RecordHeaderNames.ERROR_CODE).value(), StandardCharsets.UTF_8);
                dlq.computeIfAbsent(new String(r.key(), StandardCharsets.UTF_8), x -> new ArrayList<>()).add(code);
                byCode.merge(code, 1, Integer::sum);
            }
            int embeddedTotal = embeddings.values().stream().mapToInt(Integer::intValue).sum();
            Figures.record("hostile input", "inputs=" + inputs + " kinds=" + kinds.size() + " embedded=" + embeddedTotal
                    + " dead_lettered=" + dead.size() + " by_code=" + byCode + " duration_s=" + seconds);
            for (String id : goodIds.keySet()) {
                assertThat(embeddings.get(id)).as("good neighbour %s embedded once", id).isEqualTo(1);
            }
            for (Kind kind : kinds) {
                if (kind.key() == null) {
                    long nullKeyed = embeddings.keySet().stream().filter(id -> id.startsWith(Topics.IMAGES.name() + "-0-")).count();
                    assertThat(nullKeyed).as("%s: embedded once under topic-partition-offset", kind.name()).isEqualTo(1);
                    continue;
                }
                String id = new String(kind.key(), StandardCharsets.UTF_8);
                if (kind.expected().equals(EMBEDDED)) {
                    assertThat(embeddings.get(id)).as("%s embedded once", kind.name()).isEqualTo(1);
                    assertThat(dlq).as("%s not dead-lettered", kind.name()).doesNotContainKey(id);
                } else {
                    assertThat(dlq.get(id)).as("%s dead-lettered once with its code", kind.name())
                            .containsExactly(kind.expected());
                    assertThat(embeddings).as("%s not embedded", kind.name()).doesNotContainKey(id);
                }
            }
            assertThat(embeddedTotal + dead.size()).as("inputs = embeddings + dead letters").isEqualTo(inputs);
        }
    }

    private static int sendGood(KafkaProducer<byte[], byte[]> producer, LabeledImages sample, int g,
                                Map<String, String> goodIds) {
        String id = "good-" + g;
        byte[] png = PngEncoder.gray(sample.image(g), sample.height(), sample.width());
        producer.send(new ProducerRecord<>(Topics.IMAGES.name(), 0, key(id), png,
                label(Integer.toString(sample.labels()[g]))));
        goodIds.put(id, id);
        return g + 1;
    }

    private static KafkaProducer<byte[], byte[]> producer(String bootstrap) {
        Map<String, Object> p = new HashMap<>();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(16 << 20));
        return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }

    private static void file(List<Kind> k, String name, String file, String expected) {
        k.add(new Kind(name, key("hostile-" + file), corpus(file), label("1"), expected));
    }

    private static byte[] key(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static RecordHeaders label(String label) {
        RecordHeaders h = new RecordHeaders();
        h.add(RecordHeaderNames.LABEL, label.getBytes(StandardCharsets.UTF_8));
        return h;
    }

    static byte[] corpus(String name) {
        try (InputStream in = HostileInputIT.class.getResourceAsStream("/hostile/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing corpus file " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
