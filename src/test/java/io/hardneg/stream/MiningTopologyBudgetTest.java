package io.hardneg.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.hardneg.config.ConfigLoader;
import io.hardneg.config.HardnegConfig;
import io.hardneg.data.FashionMnist;
import io.hardneg.data.LabeledImages;
import io.hardneg.data.PngEncoder;
import io.hardneg.mining.LabelBudget;
import io.hardneg.mining.MemoryBank;
import io.hardneg.model.EmbeddingModel;
import io.hardneg.model.ModelOptions;
import io.hardneg.model.ModelProvider;
import io.hardneg.model.ModelSource;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
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

/** The drawn rules and the anchor budget, wired from the configuration through the real topology. */
class MiningTopologyBudgetTest {

    private static EmbeddingModel model;
    private static LabeledImages sample;

    @BeforeAll
    static void load() throws Exception {
        model = EmbeddingModel.load(ModelSource.path(Path.of("src/test/resources/models/unnormalised/1")),
                ModelOptions.defaults());
        sample = FashionMnist.bundled().head(300);
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Test
    void shouldMineAShareOfTheAnchorsByTheConfiguredRulesAndReportTheBudget() {
        // Given drawn rules, the sample replayed with every anchor mined, then with a share of 0.3
        Map<String, String> rules = Map.of("mining.positive", "random", "mining.negative", "soft",
                "mining.gap-floor", "1.0", "mining.anchor-share", "1");
        AtomicReference<Map<String, LabelBudget.Entry>> none = new AtomicReference<>(Map.of());
        Set<String> everyAnchor = anchorsWithTriplets(rules, none);
        Map<String, String> withShare = new HashMap<>(rules);
        withShare.put("mining.anchor-share", "0.3");
        AtomicReference<Map<String, LabelBudget.Entry>> budget = new AtomicReference<>(Map.of());
        Set<String> shared = anchorsWithTriplets(withShare, budget);

        // Then the budget was computed and reported, spends 0.3 on average, and fewer anchors yield triplets
        assertThat(budget.get()).isNotEmpty();
        double mean = budget.get().values().stream().mapToDouble(LabelBudget.Entry::probability).average()
                .orElseThrow();
        assertThat(mean).isCloseTo(0.3, within(1e-9));
        assertThat(none.get()).as("no budget runs at share 1").isEmpty();
        assertThat(everyAnchor).hasSizeGreaterThan(100);
        assertThat(shared).isNotEmpty().hasSizeLessThan(everyAnchor.size() * 2 / 3);
        assertThat(everyAnchor).containsAll(shared);
    }

    /** Replays the sample through the topology and returns the ids of the anchors that got triplets. */
    private static Set<String> anchorsWithTriplets(Map<String, String> settings,
                                                   AtomicReference<Map<String, LabelBudget.Entry>> budget) {
        Map<String, String> s = new HashMap<>(settings);
        s.put("bootstrap.servers", "unused:9092");
        s.put("inference.batch.max", "16");
        // Nothing but the miner decides what is published: no rate limit, no duplicate filters.
        s.put("mining.rate-limit.per-label", "0");
        s.put("dedup.exact.window", "0");
        s.put("dedup.near.epsilon", "0");
        HardnegConfig config = ConfigLoader.fromMap(s);
        MemoryBank bank = new MemoryBank(model.info().embeddingDim(), config.bank().perLabel(), config.bank().max());
        Properties props = StreamsSettings.of(config, System.getProperty("java.io.tmpdir") + "/hardneg-ttd-"
                + System.nanoTime());
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, "at_least_once");
        PipelineObserver observer = new PipelineObserver() {
            @Override
            public void anchorBudget(Map<String, LabelBudget.Entry> b) {
                budget.set(b);
            }
        };
        Set<String> anchors = new HashSet<>();
        try (TopologyTestDriver driver = new TopologyTestDriver(MiningTopology.build(config,
                ModelProvider.fixed(model), bank, observer), props)) {
            ByteArraySerializer b = new ByteArraySerializer();
            TestInputTopic<byte[], byte[]> images = driver.createInputTopic(Topics.IMAGES.name(), b, b);
            TestInputTopic<String, byte[]> bankIn = driver.createInputTopic(Topics.EMBEDDING_BANK.name(),
                    new StringSerializer(), b);
            ByteArrayDeserializer d = new ByteArrayDeserializer();
            TestOutputTopic<byte[], byte[]> triplets = driver.createOutputTopic(Topics.HARD_NEGATIVES.name(), d, d);
            TestOutputTopic<String, byte[]> bankOut = driver.createOutputTopic(Topics.EMBEDDING_BANK.name(),
                    new StringDeserializer(), d);
            for (int i = 0; i < sample.count(); i++) {
                RecordHeaders h = new RecordHeaders();
                h.add(RecordHeaderNames.LABEL, Integer.toString(sample.labels()[i]).getBytes(StandardCharsets.UTF_8));
                images.pipeInput(new TestRecord<>(("img-" + i).getBytes(StandardCharsets.UTF_8),
                        PngEncoder.gray(sample.image(i), sample.height(), sample.width()), h));
                if (i % 16 == 15) {
                    driver.advanceWallClockTime(Duration.ofMillis(100));
                    for (TestRecord<String, byte[]> r : bankOut.readRecordsToList()) {
                        bankIn.pipeInput(r.key(), r.value());
                    }
                }
            }
            driver.advanceWallClockTime(Duration.ofMillis(100));
            for (TestRecord<byte[], byte[]> r : triplets.readRecordsToList()) {
                anchors.add(new String(r.key(), StandardCharsets.UTF_8));
            }
        }
        return anchors;
    }
}
