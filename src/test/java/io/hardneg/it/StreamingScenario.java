package io.hardneg.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hardneg.config.ConfigLoader;
import io.hardneg.config.HardnegConfig;
import io.hardneg.data.FashionMnist;
import io.hardneg.data.LabeledImages;
import io.hardneg.producer.ImageSender;
import io.hardneg.producer.ImageSource;
import io.hardneg.producer.LabeledImage;
import io.hardneg.service.HardnegService;
import io.hardneg.service.OutputTally;
import io.hardneg.stream.EmbeddingCodec;
import io.hardneg.stream.PipelineObserver;
import io.hardneg.stream.RecordHeaderNames;
import io.hardneg.stream.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * The main end-to-end scenario, against any broker: the in-process one ({@code *IT}) or a container
 * ({@code *DockerIT}), so the two cannot drift apart.
 */
final class StreamingScenario {

    static final double ALPHA = 0.2;
    static final int NEGATIVES_PER_POSITIVE = 3;
    static final ObjectMapper JSON = new ObjectMapper();

    /** Bad records sent along with the good ones, by expected error code. */
    static final Map<String, byte[]> BAD = Map.of(
            "bad-empty", new byte[0],
            "bad-random", new byte[] {0x13, 0x37, 0x42, 0x00, 0x7f, 0x11, 0x22, 0x33, 0x44},
            "bad-text", "this is not an image".getBytes(StandardCharsets.UTF_8));
    static final Map<String, String> BAD_CODES = Map.of("bad-empty", "EMPTY", "bad-random", "UNSUPPORTED_FORMAT",
            "bad-text", "UNSUPPORTED_FORMAT");

    private final String bootstrap;
    private final String appId;
    private final Map<String, String> overrides;
    private final List<HardnegService> services = new ArrayList<>();

    StreamingScenario(String bootstrap, String appId) {
        this(bootstrap, appId, Map.of());
    }

    StreamingScenario(String bootstrap, String appId, Map<String, String> overrides) {
        this.bootstrap = bootstrap;
        this.appId = appId;
        this.overrides = Map.copyOf(overrides);
    }

    HardnegConfig config() {
        Map<String, String> m = new HashMap<>(Map.of("bootstrap.servers", bootstrap, "application.id", appId,
                "mining.negatives-per-positive", Integer.toString(NEGATIVES_PER_POSITIVE),
                "mining.rate-limit.per-label", "0", "output.include-images", "false", "http.port", "0"));
        // The shipped model by default; -Dhardneg.it.model=DIR runs the scenario with another one.
        String model = System.getProperty("hardneg.it.model");
        if (model != null && !model.isBlank()) {
            m.put("model.path", model);
        }
        m.putAll(overrides);
        return ConfigLoader.fromMap(m);
    }

    HardnegService startInstance() throws Exception {
        HardnegService s = HardnegService.start(config(), PipelineObserver.NONE);
        services.add(s);
        assertThat(s.awaitRunning(Duration.ofSeconds(90))).as("instance reaches RUNNING").isTrue();
        return s;
    }

    void stopAll() {
        services.forEach(HardnegService::close);
        services.clear();
    }

    /** Sends images [from, to) of the sample, plus the bad records when {@code withBad}. */
    static void send(String bootstrap, LabeledImages sample, int from, int to, boolean withBad) {
        try (ImageSender sender = new ImageSender(bootstrap, Topics.IMAGES.name(), 0, Map.of())) {
            Iterator<LabeledImage> it = ImageSource.idx(sample, "img").iterator();
            for (int i = 0; i < to && it.hasNext(); i++) {
                LabeledImage img = it.next();
                if (i >= from) {
                    sender.send(img);
                }
            }
            if (withBad) {
                BAD.forEach((id, bytes) -> sender.send(new LabeledImage(id, "1", bytes)));
            }
            sender.flush();
        }
    }

    static void awaitProcessed(String bootstrap, int expected, Duration timeout) throws InterruptedException {
        try (OutputTally tally = new OutputTally(bootstrap)) {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (tally.embedded() + tally.deadLettered() < expected && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertThat(tally.embedded() + tally.deadLettered()).as("processed records").isGreaterThanOrEqualTo(expected);
        }
    }

    /** Everything the issue asks to hold once {@code goodImages} good and the bad records were processed. */
    static Result verify(String bootstrap, int goodImages) throws Exception {
        Map<String, Integer> embeddingCount = new HashMap<>();
        Map<String, float[]> embedding = new HashMap<>();
        Map<String, String> version = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : TopicContents.readAll(bootstrap, Topics.EMBEDDINGS.name())) {
            String id = new String(r.key(), StandardCharsets.UTF_8);
            embeddingCount.merge(id, 1, Integer::sum);
            embedding.put(id, EmbeddingCodec.decode(r.value()));
            version.put(id, new String(r.headers().lastHeader(RecordHeaderNames.MODEL_VERSION).value(), StandardCharsets.UTF_8));
        }
        int lost = 0;
        for (int i = 0; i < goodImages; i++) {
            if (!embeddingCount.containsKey("img-" + i)) {
                lost++;
            }
        }
        int duplicated = (int) embeddingCount.values().stream().filter(c -> c > 1).count();
        Map<String, String> dlqCodes = new HashMap<>();
        int dlqDuplicates = 0;
        for (ConsumerRecord<byte[], byte[]> r : TopicContents.readAll(bootstrap, Topics.DLQ.name())) {
            String id = new String(r.key(), StandardCharsets.UTF_8);
            String code = new String(r.headers().lastHeader(RecordHeaderNames.ERROR_CODE).value(), StandardCharsets.UTF_8);
            if (dlqCodes.put(id, code) != null) {
                dlqDuplicates++;
            }
        }
        Set<String> tripletKeys = new HashSet<>();
        int tripletDuplicates = 0;
        int triplets = 0;
        Map<String, Map<String, Integer>> perAnchor = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : TopicContents.readAll(bootstrap, Topics.HARD_NEGATIVES.name())) {
            JsonNode t = JSON.readTree(r.value());
            String a = t.path("anchor").path("id").asText();
            String p = t.path("positive").path("id").asText();
            String n = t.path("negative").path("id").asText();
            String v = t.path("model_version").asText();
            triplets++;
            if (!tripletKeys.add(a + "|" + p + "|" + n + "|" + v)) {
                tripletDuplicates++;
            }
            assertThat(version.get(a)).as("anchor's embedding version").isEqualTo(v);
            assertThat(version.get(p)).as("positive of the same model version").isEqualTo(v);
            assertThat(version.get(n)).as("negative of the same model version").isEqualTo(v);
            double dap = sq(embedding.get(a), embedding.get(p));
            double dan = sq(embedding.get(a), embedding.get(n));
            assertThat(dan - dap).as("gap recomputed from embeddings is under alpha").isLessThan(ALPHA + 1e-5);
            assertThat(t.path("gap").asDouble()).isCloseTo(dan - dap, within(1e-4));
            perAnchor.computeIfAbsent(a, k -> new HashMap<>()).merge(p, 1, Integer::sum);
        }
        for (Map<String, Integer> byPositive : perAnchor.values()) {
            assertThat(byPositive).as("one positive per anchor (default)").hasSize(1);
            byPositive.values().forEach(c -> assertThat(c).isLessThanOrEqualTo(NEGATIVES_PER_POSITIVE));
        }
        return new Result(goodImages, embeddingCount.size(), lost, duplicated, dlqCodes, dlqDuplicates, triplets,
                tripletDuplicates);
    }

    private static double sq(float[] a, float[] b) {
        assertThat(a).as("embedding of a triplet member exists").isNotNull();
        assertThat(b).as("embedding of a triplet member exists").isNotNull();
        double d = 0;
        for (int i = 0; i < a.length; i++) {
            double x = a[i] - b[i];
            d += x * x;
        }
        return d;
    }

    /** Figures of one run. */
    record Result(int sent, int embedded, int lost, int duplicated, Map<String, String> dlqCodes, int dlqDuplicates,
                  int triplets, int tripletDuplicates) {

        void assertExactlyOnce() {
            assertThat(lost).as("lost").isZero();
            assertThat(duplicated).as("duplicated embeddings").isZero();
            assertThat(dlqDuplicates).as("duplicated dead letters").isZero();
            assertThat(tripletDuplicates).as("duplicated triplets").isZero();
            assertThat(dlqCodes).as("dead letters with their codes").isEqualTo(BAD_CODES);
            assertThat(embedded).as("one embedding per good image, nothing else").isEqualTo(sent);
            assertThat(triplets).as("mined something").isPositive();
        }

        @Override
        public String toString() {
            return String.format("sent=%d embedded=%d lost=%d duplicated=%d dlq=%s triplets=%d tripletDuplicates=%d",
                    sent, embedded, lost, duplicated, dlqCodes, triplets, tripletDuplicates);
        }
    }

    /** The model version of each id's embedding, asserting that no id has two. */
    static Map<String, String> versionByIdOnce(String bootstrap) {
        Map<String, String> versionById = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : TopicContents.readAll(bootstrap, Topics.EMBEDDINGS.name())) {
            String id = new String(r.key(), StandardCharsets.UTF_8);
            String v = new String(r.headers().lastHeader(RecordHeaderNames.MODEL_VERSION).value(), StandardCharsets.UTF_8);
            assertThat(versionById.put(id, v)).as("one embedding for %s", id).isNull();
        }
        return versionById;
    }

    static LabeledImages sample(int n) throws Exception {
        return FashionMnist.bundled().head(n);
    }
}
