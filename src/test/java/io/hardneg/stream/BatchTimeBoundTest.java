package io.hardneg.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.hardneg.config.ConfigLoader;
import io.hardneg.config.HardnegConfig;
import io.hardneg.data.PngEncoder;
import io.hardneg.mining.MemoryBank;
import io.hardneg.model.EmbeddingModel;
import io.hardneg.model.ModelOptions;
import io.hardneg.model.ModelProvider;
import io.hardneg.model.ModelSource;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code inference.batch.max-ms} through the real topology: batches shrink to what the measured cost fits. */
class BatchTimeBoundTest {

    private static EmbeddingModel model;
    /** A 1024×1024 gradient: a small PNG that takes milliseconds to inflate and scale down to the model's 28×28. */
    private static byte[] large;

    @BeforeAll
    static void load() throws Exception {
        model = EmbeddingModel.load(ModelSource.path(Path.of("src/test/resources/models/unnormalised/1")),
                ModelOptions.defaults());
        int side = 1024;
        byte[] pixels = new byte[side * side];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (byte) ((i / side + i % side) / 8);
        }
        large = PngEncoder.gray(pixels, side, side);
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Test
    void shouldShrinkBatchesToWhatTheTimeBudgetFits() {
        // Given batches of up to 64 images, bounded to 1 ms, of images that take longer than that each to decode
        List<Integer> sizes = batchSizes("1", 36);

        // Then the first batch has the cautious first size, and every later one only what 1 ms fits by its cost
        assertThat(sizes).hasSize(5);
        assertThat(sizes.get(0)).isEqualTo(BatchSizer.FIRST);
        assertThat(sizes.subList(1, sizes.size())).allSatisfy(n -> assertThat(n).isLessThan(4));
    }

    @Test
    void shouldFillBatchesToTheMaximumWithTheBudgetOff() {
        // Given the same images and no time bound: 36 images stay one partial batch of 64, drained by the linger
        assertThat(batchSizes("0", 36)).containsExactly(36);
    }

    /** The sizes of the batches embedded when {@code images} large images arrive, then the linger fires. */
    private static List<Integer> batchSizes(String maxMs, int images) {
        List<Integer> sizes = new CopyOnWriteArrayList<>();
        PipelineObserver observer = new PipelineObserver() {
            @Override
            public void batchEmbedded(int size, long inferenceNanos, String modelVersion, String device) {
                sizes.add(size);
            }
        };
        Map<String, String> s = new HashMap<>(Map.of("bootstrap.servers", "unused:9092",
                "inference.batch.max", "64", "inference.batch.max-ms", maxMs, "inference.batch.linger.ms", "1000",
                "inference.overlap", "false"));
        HardnegConfig config = ConfigLoader.fromMap(s);
        MemoryBank bank = new MemoryBank(model.info().embeddingDim(), config.bank().perLabel(), config.bank().max());
        Properties props = StreamsSettings.of(config,
                System.getProperty("java.io.tmpdir") + "/hardneg-ttd-" + System.nanoTime());
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, "at_least_once");
        try (TopologyTestDriver driver = new TopologyTestDriver(MiningTopology.build(config,
                ModelProvider.fixed(model), bank, observer), props)) {
            ByteArraySerializer b = new ByteArraySerializer();
            TestInputTopic<byte[], byte[]> in = driver.createInputTopic(Topics.IMAGES.name(), b, b);
            for (int i = 0; i < images; i++) {
                RecordHeaders h = new RecordHeaders();
                h.add(RecordHeaderNames.LABEL, "1".getBytes(StandardCharsets.UTF_8));
                in.pipeInput(new TestRecord<>(("img-" + i).getBytes(StandardCharsets.UTF_8), large, h));
            }
            driver.advanceWallClockTime(Duration.ofMillis(1000));
        }
        return sizes;
    }
}
