package io.hardneg.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.hardneg.config.ConfigLoader;
import io.hardneg.config.HardnegConfig;
import io.hardneg.data.FashionMnist;
import io.hardneg.data.LabeledImages;
import io.hardneg.data.PngEncoder;
import io.hardneg.mining.Backpressure;
import io.hardneg.mining.MemoryBank;
import io.hardneg.model.EmbeddingModel;
import io.hardneg.model.ModelOptions;
import io.hardneg.model.ModelProvider;
import io.hardneg.model.ModelSource;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;

/** The processor charges each part of its work to the timer it was given, and the default timer reads nothing. */
class StageTimerTest {

    /** Counts laps per part with the wall clock: what is asserted is where the processor laps, not the clock. */
    private static final class Recording implements StageTimer {
        final Map<Part, Long> laps = new EnumMap<>(Part.class);
        final Map<Part, Long> nanos = new EnumMap<>(Part.class);

        @Override
        public boolean enabled() {
            return true;
        }

        @Override
        public long start() {
            return System.nanoTime();
        }

        @Override
        public synchronized long lap(Part part, long since, int weight) {
            long now = System.nanoTime();
            laps.merge(part, 1L, Long::sum);
            nanos.merge(part, weight * (now - since), Long::sum);
            return now;
        }

        @Override
        public synchronized void add(Part part, long n) {
            nanos.merge(part, n, Long::sum);
        }
    }

    @Test
    void shouldChargeEveryPartOfTheProcessorsWorkToTheTimer() throws Exception {
        // Given the service's topology with a recording timer, batches of 16 and a bank the first batch fills
        Recording timer = new Recording();
        LabeledImages sample = FashionMnist.bundled().head(64);
        try (EmbeddingModel model = EmbeddingModel.load(ModelSource.path(
                Path.of("src/test/resources/models/unnormalised/1")), ModelOptions.defaults())) {
            HardnegConfig config = ConfigLoader.fromMap(Map.of("bootstrap.servers", "unused:9092",
                    "inference.batch.max", "16", "mining.policy", "all"));
            MemoryBank bank = new MemoryBank(model.info().embeddingDim(), config.bank().perLabel(),
                    config.bank().max());
            Properties props = StreamsSettings.of(config, System.getProperty("java.io.tmpdir") + "/hardneg-ttd-"
                    + System.nanoTime());
            props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, "at_least_once");
            try (TopologyTestDriver driver = new TopologyTestDriver(MiningTopology.build(config,
                    ModelProvider.fixed(model), bank, PipelineObserver.NONE, Backpressure.off(), timer), props)) {
                ByteArraySerializer b = new ByteArraySerializer();
                var images = driver.createInputTopic(Topics.IMAGES.name(), b, b);
                var bankIn = driver.createInputTopic(Topics.EMBEDDING_BANK.name(), new StringSerializer(), b);
                var bankOut = driver.createOutputTopic(Topics.EMBEDDING_BANK.name(), new StringDeserializer(),
                        new ByteArrayDeserializer());
                // When 64 labeled images go through in four batches, the bank fed back after each
                for (int i = 0; i < 64; i++) {
                    RecordHeaders h = new RecordHeaders();
                    h.add(RecordHeaderNames.LABEL,
                            Integer.toString(sample.labels()[i]).getBytes(StandardCharsets.UTF_8));
                    images.pipeInput(new TestRecord<>(("img-" + i).getBytes(StandardCharsets.UTF_8),
                            PngEncoder.gray(sample.image(i), sample.height(), sample.width()), h));
                    if (i % 16 == 15) {
                        driver.advanceWallClockTime(Duration.ofMillis(100));
                        bankOut.readRecordsToList().forEach(r -> bankIn.pipeInput(r.key(), r.value()));
                    }
                }
            }
        }
        // Then each batch lapped decode, inference, mining and the outputs, the buffer's changelog was timed, and
        // the sampled per-record parts were charged for every record of the sample
        assertThat(timer.laps.get(StageTimer.Part.DECODE)).isEqualTo(4L);
        assertThat(timer.laps.get(StageTimer.Part.INFERENCE)).isEqualTo(4L);
        assertThat(timer.laps.get(StageTimer.Part.MINING)).isBetween(3L, 4L);
        for (StageTimer.Part p : StageTimer.Part.values()) {
            assertThat(timer.nanos.getOrDefault(p, 0L)).as(p.name()).isNotNegative();
            if (p != StageTimer.Part.SUSPECTS) {
                assertThat(timer.laps).as(p.name()).containsKey(p);
                assertThat(timer.nanos.get(p)).as(p.name()).isPositive();
            }
        }
        // (records 16, 32, 48 and 64 are the sampled ones: validation and the put each lapped once per sample)
        assertThat(timer.laps.get(StageTimer.Part.GUARDS)).isGreaterThanOrEqualTo(4L + 3L);
    }

    @Test
    void shouldReadNoClockByDefault() {
        assertThat(StageTimer.NONE.enabled()).isFalse();
        assertThat(StageTimer.NONE.start()).isZero();
        assertThat(StageTimer.NONE.lap(StageTimer.Part.DECODE, 0, 1)).isZero();
    }
}
