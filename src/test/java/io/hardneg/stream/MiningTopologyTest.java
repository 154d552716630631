package io.hardneg.stream;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hardneg.config.ConfigLoader;
import io.hardneg.config.HardnegConfig;
import io.hardneg.data.FashionMnist;
import io.hardneg.data.LabeledImages;
import io.hardneg.data.PngEncoder;
import io.hardneg.mining.MemoryBank;
import io.hardneg.mining.MiningChunks;
import io.hardneg.model.EmbeddingModel;
import io.hardneg.model.ModelOptions;
import io.hardneg.model.ModelProvider;
import io.hardneg.model.ModelSource;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.function.Predicate;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class MiningTopologyTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static EmbeddingModel model;
    private static LabeledImages sample;

    @BeforeAll
    static void load() throws Exception {
        // A tiny 28x28 test model keeps this fast; the miner's rules do not depend on the model's quality.
        model = EmbeddingModel.load(ModelSource.path(Path.of("src/test/resources/models/unnormalised/1")),
                ModelOptions.defaults());
        sample = FashionMnist.bundled().head(200);
    }

    @AfterAll
    static void close() {
        model.close();
    }

    /** A driver with its topics, and the test's own copy of the bank topic fed back as Kafka would. */
    private static final class Harness implements AutoCloseable {
        final TopologyTestDriver driver;
        final TestInputTopic<byte[], byte[]> images;
        final TestInputTopic<String, byte[]> bankIn;
        final TestOutputTopic<byte[], byte[]> embeddings;
        final TestOutputTopic<byte[], byte[]> triplets;
        final TestOutputTopic<String, byte[]> bankOut;
        final TestOutputTopic<byte[], byte[]> dlq;
        final TestOutputTopic<byte[], byte[]> suspects;
        final Map<String, float[]> embeddingById = new HashMap<>();
        final MemoryBank bank;

        Harness(Map<String, String> settings) {
            Map<String, String> s = new HashMap<>(settings);
            s.putIfAbsent("bootstrap.servers", "unused:9092");
            HardnegConfig config = ConfigLoader.fromMap(s);
            bank = new MemoryBank(model.info().embeddingDim(), config.bank().perLabel(), config.bank().max());
            Properties props = StreamsSettings.of(config, System.getProperty("java.io.tmpdir") + "/hardneg-ttd-" + System.nanoTime());
            props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, "at_least_once");
            driver = new TopologyTestDriver(MiningTopology.build(config, ModelProvider.fixed(model), bank,
                    PipelineObserver.NONE), props);
            ByteArraySerializer b = new ByteArraySerializer();
            images = driver.createInputTopic(Topics.IMAGES.name(), b, b);
            bankIn = driver.createInputTopic(Topics.EMBEDDING_BANK.name(), new StringSerializer(), b);
            ByteArrayDeserializer d = new ByteArrayDeserializer();
            embeddings = driver.createOutputTopic(Topics.EMBEDDINGS.name(), d, d);
            triplets = driver.createOutputTopic(Topics.HARD_NEGATIVES.name(), d, d);
            bankOut = driver.createOutputTopic(Topics.EMBEDDING_BANK.name(), new StringDeserializer(), d);
            dlq = driver.createOutputTopic(Topics.DLQ.name(), d, d);
            suspects = driver.createOutputTopic(Topics.SUSPECT_LABELS.name(), d, d);
        }

        void send(String id, String label, byte[] value) {
            RecordHeaders h = new RecordHeaders();
            if (label != null) {
                h.add(RecordHeaderNames.LABEL, label.getBytes(StandardCharsets.UTF_8));
            }
            images.pipeInput(new TestRecord<>(id == null ? null : id.getBytes(StandardCharsets.UTF_8), value, h));
        }

        void sendSample(int from, int to) {
            for (int i = from; i < to; i++) {
                send("img-" + i, Integer.toString(sample.labels()[i]), png(i));
            }
        }

        /** Fires the linger punctuator, collects embeddings, and loops bank records back into the global store. */
        List<TestRecord<byte[], byte[]>> flush() {
            driver.advanceWallClockTime(Duration.ofMillis(100));
            List<TestRecord<byte[], byte[]>> emb = embeddings.readRecordsToList();
            for (TestRecord<byte[], byte[]> r : emb) {
                embeddingById.put(new String(r.key(), StandardCharsets.UTF_8), EmbeddingCodec.decode(r.value()));
            }
            for (TestRecord<String, byte[]> r : bankOut.readRecordsToList()) {
                bankIn.pipeInput(r.key(), r.value());
            }
            return emb;
        }

        @Override
        public void close() {
            driver.close();
        }
    }

    private static byte[] png(int i) {
        return PngEncoder.gray(sample.image(i), sample.height(), sample.width());
    }

    private static double distance(float[] a, float[] b) {
        double d = 0;
        for (int i = 0; i < a.length; i++) {
            double x = a[i] - b[i];
            d += x * x;
        }
        return d;
    }

    @Test
    void shouldEmitOneUnitEmbeddingPerImageWithHeaders() {
        try (Harness h = new Harness(Map.of("inference.batch.max", "8"))) {
            h.sendSample(0, 20);
            List<TestRecord<byte[], byte[]>> emb = h.flush();
            assertThat(emb).hasSize(20);
            Set<String> ids = new HashSet<>();
            for (TestRecord<byte[], byte[]> r : emb) {
                ids.add(new String(r.key(), StandardCharsets.UTF_8));
                float[] v = EmbeddingCodec.decode(r.value());
                assertThat(v).hasSize(model.info().embeddingDim());
                assertThat(distance(v, new float[v.length])).isCloseTo(1.0, org.assertj.core.api.Assertions.within(1e-5));
                assertThat(new String(r.headers().lastHeader(RecordHeaderNames.MODEL_VERSION).value(), StandardCharsets.UTF_8))
                        .isEqualTo(model.info().version());
                assertThat(new String(r.headers().lastHeader(RecordHeaderNames.DIM).value(), StandardCharsets.UTF_8))
                        .isEqualTo(Integer.toString(model.info().embeddingDim()));
                assertThat(r.headers().lastHeader(RecordHeaderNames.LABEL)).isNotNull();
            }
            assertThat(ids).hasSize(20);
        }
    }

    @Test
    void shouldHoldRecordsUntilBatchIsFullOrLingerExpires() {
        // Inline batches: with inference.overlap a full batch is published once the worker is done (test below).
        try (Harness h = new Harness(Map.of("inference.batch.max", "8", "inference.batch.linger.ms", "1000",
                "inference.overlap", "false"))) {
            h.sendSample(0, 5);
            assertThat(h.embeddings.readRecordsToList()).as("5 < batch of 8, linger not yet over").isEmpty();
            h.sendSample(5, 8);
            assertThat(h.embeddings.readRecordsToList()).as("a full batch is drained at once").hasSize(8);
            h.sendSample(8, 10);
            h.driver.advanceWallClockTime(Duration.ofMillis(1000));
            assertThat(h.embeddings.readRecordsToList()).as("linger drains the partial batch").hasSize(2);
        }
    }

    @Test
    void shouldMineTripletsThatSatisfyThePolicyWhenRecomputedFromEmbeddings() throws Exception {
        for (String policy : List.of("all", "hard", "semihard")) {
            try (Harness h = new Harness(Map.of("inference.batch.max", "16", "mining.policy", policy,
                    "mining.negatives-per-positive", "3", "mining.positives-per-anchor", "2",
                    "mining.rate-limit.per-label", "0", "output.include-images", "false"))) {
                h.sendSample(0, 100);
                h.flush();
                h.sendSample(100, 200);
                h.flush();
                List<TestRecord<byte[], byte[]>> out = h.triplets.readRecordsToList();
                assertThat(out).as("policy %s mines something from 200 random-ish embeddings", policy).isNotEmpty();
                Map<String, Map<String, Integer>> perAnchorPositive = new HashMap<>();
                for (TestRecord<byte[], byte[]> r : out) {
                    JsonNode t = JSON.readTree(r.value());
                    String a = t.path("anchor").path("id").asText();
                    String p = t.path("positive").path("id").asText();
                    String n = t.path("negative").path("id").asText();
                    assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo(a);
                    assertThat(t.path("positive").path("label").asText()).isEqualTo(t.path("anchor").path("label").asText());
                    assertThat(t.path("negative").path("label").asText()).isNotEqualTo(t.path("anchor").path("label").asText());
                    assertThat(t.has("image")).isFalse();
                    double dap = distance(h.embeddingById.get(a), h.embeddingById.get(p));
                    double dan = distance(h.embeddingById.get(a), h.embeddingById.get(n));
                    double gap = dan - dap;
                    // Recomputed in double from the emitted embeddings, never trusting the record's own gap.
                    assertThat(gap).isLessThan(0.2 + 1e-5);
                    if (policy.equals("hard")) {
                        assertThat(gap).isLessThan(1e-5);
                    } else if (policy.equals("semihard")) {
                        assertThat(gap).isGreaterThan(-1e-5);
                    }
                    assertThat(t.path("kind").asText()).isEqualTo(gap < 0 ? "hard" : "semihard");
                    assertThat(t.path("d_ap").asDouble()).isCloseTo(dap, org.assertj.core.api.Assertions.within(1e-4));
                    assertThat(t.path("model_version").asText()).isEqualTo(model.info().version());
                    perAnchorPositive.computeIfAbsent(a, k -> new HashMap<>()).merge(p, 1, Integer::sum);
                }
                for (Map<String, Integer> byPositive : perAnchorPositive.values()) {
                    assertThat(byPositive.size()).as("positives per anchor").isLessThanOrEqualTo(2);
                    byPositive.values().forEach(c -> assertThat(c).as("negatives per positive").isLessThanOrEqualTo(3));
                }
            }
        }
    }

    @Test
    void shouldEmitPairsAtTheConfiguredRatio() throws Exception {
        try (Harness h = new Harness(Map.of("output.format", "pairs", "mining.negatives-per-positive", "3",
                "mining.rate-limit.per-label", "0"))) {
            h.sendSample(0, 100);
            h.flush();
            h.sendSample(100, 200);
            h.flush();
            Map<String, int[]> byAnchor = new HashMap<>();
            for (TestRecord<byte[], byte[]> r : h.triplets.readRecordsToList()) {
                JsonNode p = JSON.readTree(r.value());
                assertThat(p.path("format").asText()).isEqualTo("pair");
                int target = p.path("target").asInt();
                boolean same = p.path("other").path("label").asText().equals(p.path("anchor").path("label").asText());
                assertThat(same).isEqualTo(target == 1);
                byAnchor.computeIfAbsent(p.path("anchor").path("id").asText(), k -> new int[2])[target]++;
            }
            assertThat(byAnchor).isNotEmpty();
            byAnchor.values().forEach(c -> {
                assertThat(c[1]).as("one positive per anchor").isEqualTo(1);
                assertThat(c[0]).as("1:3 AP:AN").isBetween(1, 3);
            });
        }
    }

    @Test
    void shouldDeadLetterBadInputWithCodesAndKeepGoodNeighbours() {
        try (Harness h = new Harness(Map.of("inference.batch.max", "4", "input.headers.max", "10"))) {
            h.send("good-1", "1", png(0));
            h.send("empty", "1", new byte[0]);
            h.send("random", "1", new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9});
            RecordHeaders badLabel = new RecordHeaders();
            badLabel.add(RecordHeaderNames.LABEL, new byte[] {(byte) 0xC3, (byte) 0x28});
            h.images.pipeInput(new TestRecord<>("bad-label".getBytes(StandardCharsets.UTF_8), png(1), badLabel));
            RecordHeaders many = new RecordHeaders();
            for (int i = 0; i < 11; i++) {
                many.add("x" + i, new byte[0]);
            }
            h.images.pipeInput(new TestRecord<>("many-headers".getBytes(StandardCharsets.UTF_8), png(2), many));
            h.send(null, null, png(3));
            h.send("good-2", "2", png(4));
            List<TestRecord<byte[], byte[]>> emb = h.flush();
            assertThat(emb).extracting(r -> new String(r.key(), StandardCharsets.UTF_8))
                    .containsExactlyInAnyOrder("good-1", "images-0-5", "good-2");
            Map<String, String> codes = new HashMap<>();
            for (TestRecord<byte[], byte[]> r : h.dlq.readRecordsToList()) {
                codes.put(new String(r.key(), StandardCharsets.UTF_8),
                        new String(r.headers().lastHeader(RecordHeaderNames.ERROR_CODE).value(), StandardCharsets.UTF_8));
                assertThat(r.headers().lastHeader(RecordHeaderNames.ERROR_MESSAGE)).isNotNull();
                assertThat(r.headers().lastHeader(RecordHeaderNames.ERROR_OFFSET)).isNotNull();
            }
            assertThat(codes).containsEntry("empty", "EMPTY").containsEntry("random", "UNSUPPORTED_FORMAT")
                    .containsEntry("bad-label", "INVALID_LABEL").containsEntry("many-headers", "TOO_MANY_HEADERS")
                    .hasSize(4);
        }
    }

    @Test
    void shouldEmbedAnExactDuplicateButNeitherMineItNorBankIt() {
        try (Harness h = new Harness(Map.of("inference.batch.max", "4", "mining.suspect.enabled", "false"))) {
            h.sendSample(0, 40);
            h.flush();
            h.triplets.readRecordsToList();
            // When the same bytes come again under another id
            h.send("copy-of-3", Integer.toString(sample.labels()[3]), png(3));
            h.send("img-3", Integer.toString(sample.labels()[3]), png(3));
            List<TestRecord<byte[], byte[]>> emb = h.flush();
            // Then both are embedded; the copy adds nothing to the bank and mines nothing, the replay of img-3 does
            assertThat(emb).hasSize(2);
            Set<String> anchors = new HashSet<>();
            h.triplets.readRecordsToList().forEach(r -> anchors.add(new String(r.key(), StandardCharsets.UTF_8)));
            assertThat(anchors).doesNotContain("copy-of-3");
        }
    }

    @Test
    void shouldMineABurstIntoAFreshBankInChunksThatMeetTheirEarlierImages() throws Exception {
        // 200 images in one batch (the default holds 512; no time bound, whose first batch would be smaller) into an
        // empty bank, the bank topic not looped back: only chunks written through to the bank give the later images
        // something to be mined against.
        try (Harness h = new Harness(Map.of("mining.rate-limit.per-label", "0", "mining.suspect.enabled", "false",
                "inference.overlap", "false", "output.include-images", "false", "inference.batch.max-ms", "0"))) {
            h.sendSample(0, 200);
            h.driver.advanceWallClockTime(Duration.ofMillis(100));
            assertThat(h.embeddings.readRecordsToList()).hasSize(200);
            List<TestRecord<byte[], byte[]>> out = h.triplets.readRecordsToList();
            assertThat(out).as("a burst mined whole against an empty bank finds nothing").isNotEmpty();
            // Chunks of 64, 64, 64 and 8 (MiningChunks.MIN): an anchor meets only images of earlier chunks.
            for (TestRecord<byte[], byte[]> r : out) {
                JsonNode t = JSON.readTree(r.value());
                int a = index(t.path("anchor").path("id").asText());
                int chunkStart = a / MiningChunks.MIN * MiningChunks.MIN;
                assertThat(chunkStart).as("anchor %d", a).isPositive();
                assertThat(index(t.path("positive").path("id").asText())).isLessThan(chunkStart);
                assertThat(index(t.path("negative").path("id").asText())).isLessThan(chunkStart);
            }
            // The write-through holds exactly what the bank topic will.
            Set<String> keys = new HashSet<>();
            h.bankOut.readRecordsToList().forEach(r -> keys.add(r.key()));
            assertThat(h.bank.size()).isEqualTo(keys.size()).isGreaterThan(100);
        }
    }

    private static int index(String id) {
        return Integer.parseInt(id.substring("img-".length()));
    }

    @Test
    void shouldRouteSuspectsToSuspectLabelsAndKeepThemOutOfTripletsAndTheBank() throws Exception {
        // A permissive rule (any negative nearer than the positives) so that the random-weight model yields some.
        Map<String, String> s = Map.of("inference.batch.max", "8", "mining.suspect.tau", "0", "mining.suspect.k", "1",
                "mining.suspect.agreement", "0.01", "mining.suspect.min-positives", "1", "mining.suspect.include-image", "false");
        try (Harness h = new Harness(s)) {
            for (int i = 0; i < 120; i += 8) {
                h.sendSample(i, i + 8);
                h.flush();
            }
            List<TestRecord<byte[], byte[]>> suspects = h.suspects.readRecordsToList();
            assertThat(suspects).isNotEmpty();
            Set<String> anchors = new HashSet<>();
            h.triplets.readRecordsToList().forEach(r -> anchors.add(new String(r.key(), StandardCharsets.UTF_8)));
            for (TestRecord<byte[], byte[]> r : suspects) {
                String id = new String(r.key(), StandardCharsets.UTF_8);
                JsonNode n = JSON.readTree(r.value());
                assertThat(n.path("id").asText()).isEqualTo(id);
                assertThat(n.path("suggested_label").asText()).isNotEqualTo(n.path("label").asText());
                assertThat(n.path("nearest_negatives")).hasSize(1);
                assertThat(n.has("image")).as("include-image=false").isFalse();
                assertThat(anchors).doesNotContain(id);
                assertThat(h.embeddingById).containsKey(id);
            }
        }
    }

    @Test
    void shouldEmbedAlikeWhetherDecodedInParallelBatchesWithGapsOrOneByOne() {
        Map<String, float[]> batched = new HashMap<>();
        Map<String, float[]> single = new HashMap<>();
        for (String batch : List.of("16", "1")) {
            try (Harness h = new Harness(Map.of("inference.batch.max", batch))) {
                for (int i = 0; i < 40; i++) {
                    if (i % 7 == 3) {
                        // undecodable images leave gaps in the batch that must close up
                        h.send("bad-" + i, "1", new byte[] {(byte) 0x89, 'P', 'N', 'G', 1, 2, 3});
                    }
                    h.send("img-" + i, Integer.toString(sample.labels()[i]), png(i));
                }
                h.flush();
                (batch.equals("1") ? single : batched).putAll(h.embeddingById);
                assertThat(h.dlq.readRecordsToList()).hasSize(6);
            }
        }
        assertThat(batched.keySet()).hasSize(40).isEqualTo(single.keySet());
        batched.forEach((id, v) -> assertThat(v).as(id).containsExactly(single.get(id),
                org.assertj.core.api.Assertions.within(1e-5f)));
    }

    /** Everything the topology sent, topic by topic, in order: keys, values and error codes as text. */
    private static List<String> outputs(Harness h) {
        List<String> out = new ArrayList<>();
        h.embeddings.readRecordsToList().forEach(r -> out.add("emb " + new String(r.key(), StandardCharsets.UTF_8)
                + " " + Arrays.toString(EmbeddingCodec.decode(r.value()))));
        for (TestRecord<byte[], byte[]> r : h.triplets.readRecordsToList()) {
            try {
                // The wall clock at publishing and at sending differs from run to run; nothing else may.
                ObjectNode n = (ObjectNode) JSON.readTree(r.value());
                n.remove("mined_at");
                for (String member : List.of("anchor", "positive", "negative", "other")) {
                    if (n.get(member) instanceof ObjectNode m) {
                        m.remove("timestamp");
                    }
                }
                out.add("tri " + new String(r.key(), StandardCharsets.UTF_8) + " " + n);
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        }
        h.suspects.readRecordsToList().forEach(r -> out.add("sus " + new String(r.key(), StandardCharsets.UTF_8)));
        h.dlq.readRecordsToList().forEach(r -> out.add("dlq " + new String(r.key(), StandardCharsets.UTF_8) + " "
                + new String(r.headers().lastHeader(RecordHeaderNames.ERROR_CODE).value(), StandardCharsets.UTF_8)));
        return out;
    }

    /**
     * Sends {@code rounds} rounds of {@code perRound} images (with {@code broken}, every eleventh preceded by a
     * broken one), firing the linger after each, and returns the outputs as {@link #outputs} gives them.
     */
    private static List<String> run(String overlap, int rounds, int perRound, boolean broken) {
        Map<String, String> s = Map.of("inference.batch.max", "8", "inference.overlap", overlap,
                "mining.suspect.tau", "0", "mining.suspect.k", "1", "mining.suspect.agreement", "0.01",
                "mining.suspect.min-positives", "1", "mining.suspect.include-image", "false");
        List<String> out = new ArrayList<>();
        try (Harness h = new Harness(s)) {
            for (int k = 0; k < rounds * perRound; k++) {
                if (broken && k % 11 == 5) {
                    h.send("bad-" + k, "1", new byte[] {(byte) 0x89, 'P', 'N', 'G', 1, 2, 3});
                }
                h.send("img-" + k, Integer.toString(sample.labels()[k]), png(k));
                if ((k + 1) % perRound == 0) {
                    h.driver.advanceWallClockTime(Duration.ofMillis(100));
                    out.addAll(outputs(h));
                    h.bankOut.readRecordsToList().forEach(r -> out.add("bank " + r.key()));
                }
            }
        }
        return out;
    }

    @Test
    void shouldSendTheSameOutputsInTheSameOrderWithInferenceOverlapped() {
        // Rounds of one full batch: the bank takes each batch before the next is mined, in both modes alike.
        List<String> inline = run("false", 15, 8, false);
        assertThat(inline).filteredOn(o -> o.startsWith("emb ")).hasSize(120);
        assertThat(inline).filteredOn(o -> o.startsWith("tri ")).isNotEmpty();
        assertThat(inline).filteredOn(o -> o.startsWith("sus ")).isNotEmpty();
        assertThat(run("true", 15, 8, false)).isEqualTo(inline);

        // Rounds of several batches, so that two are in flight and more wait: the same embeddings and dead
        // letters in the same order. (Triplets may differ here: the driver feeds the bank back only after each
        // call, and the linger publishes what is in flight in one call — a real bank also lags by its topic.)
        List<String> inlineBulk = run("false", 5, 30, true);
        List<String> overlappedBulk = run("true", 5, 30, true);
        Predicate<String> embOrDlq = o -> o.startsWith("emb ") || o.startsWith("dlq ");
        assertThat(inlineBulk).filteredOn(o -> o.startsWith("emb ")).hasSize(150);
        assertThat(inlineBulk).filteredOn(o -> o.startsWith("dlq ")).hasSize(14);
        assertThat(overlappedBulk.stream().filter(embOrDlq).toList())
                .isEqualTo(inlineBulk.stream().filter(embOrDlq).toList());
    }

    @Test
    void shouldPublishEachOverlappedBatchByTheNextRecordOrTheLinger() throws Exception {
        try (Harness h = new Harness(Map.of("inference.batch.max", "8", "inference.batch.linger.ms", "1000",
                "inference.overlap", "true"))) {
            h.sendSample(0, 8);
            // The full batch went to the worker; it is published once done, by the next record or the linger.
            long deadline = System.nanoTime() + 10_000_000_000L;
            int published = 0;
            int next = 8;
            while (published < 8 && System.nanoTime() < deadline) {
                Thread.sleep(20);
                h.sendSample(next, next + 1);
                next++;
                published += h.embeddings.readRecordsToList().size();
            }
            assertThat(published).as("the first batch, published by a later record").isEqualTo(8);
            h.driver.advanceWallClockTime(Duration.ofMillis(1000));
            assertThat(h.embeddings.readRecordsToList()).as("the linger publishes the rest, in flight or not")
                    .hasSize(next - 8);
        }
    }

    @Test
    void shouldRunABatchTooLargeToFlyInlineAtOnce() {
        try (Harness h = new Harness(Map.of("inference.batch.max", "2", "inference.batch.linger.ms", "1000",
                "inference.overlap", "true", "input.max-bytes", Integer.toString(20 << 20)))) {
            // A 17 MiB input is a full batch on its own (over the 8 MiB a batch holds) and over the 16 MiB a task
            // keeps in flight: it runs on the stream thread, so its dead letter is out at once, before any linger
            // or later record.
            h.send("big-1", "1", new byte[17 << 20]);
            assertThat(h.dlq.readRecordsToList()).extracting(r -> new String(r.key(), StandardCharsets.UTF_8))
                    .containsExactly("big-1");
        }
    }

    @Test
    void shouldEndABatchAtItsByteBoundAndFlyIt() {
        // Three 3 MiB inputs pass the 8 MiB a batch holds: inline, the first two are a batch at once
        try (Harness h = afterThreeLargeInputs("false")) {
            assertThat(dlqKeys(h)).containsExactly("large-1", "large-2");
        }
        // With the worker, the same full batch goes to it (published as soon as it is done, which for inputs that fail
        // to decode can be before the record's call returns), and the linger publishes the rest, in order
        try (Harness h = afterThreeLargeInputs("true")) {
            List<String> out = new ArrayList<>(dlqKeys(h));
            assertThat(out).as("at most the full batch").isSubsetOf("large-1", "large-2");
            h.driver.advanceWallClockTime(Duration.ofMillis(1000));
            out.addAll(dlqKeys(h));
            assertThat(out).containsExactly("large-1", "large-2", "large-3");
        }
    }

    /** A harness batching up to 100 images, sent three 3 MiB inputs that are not images (6 MiB after two: no batch). */
    private static Harness afterThreeLargeInputs(String overlap) {
        Harness h = new Harness(Map.of("inference.batch.max", "100", "inference.batch.linger.ms", "1000",
                "inference.overlap", overlap));
        byte[] input = new byte[3 << 20];
        h.send("large-1", "1", input);
        h.send("large-2", "1", input);
        assertThat(h.dlq.readRecordsToList()).as("6 MiB: no batch yet").isEmpty();
        h.send("large-3", "1", input);
        return h;
    }

    private static List<String> dlqKeys(Harness h) {
        return h.dlq.readRecordsToList().stream().map(r -> new String(r.key(), StandardCharsets.UTF_8)).toList();
    }
}
