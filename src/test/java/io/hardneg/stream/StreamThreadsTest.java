package io.hardneg.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hardneg.config.ConfigException;
import io.hardneg.config.ConfigKeys;
import io.hardneg.config.ConfigLoader;
import io.hardneg.config.HardnegConfig;
import java.util.Map;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

class StreamThreadsTest {

    private static final int AUTO = ConfigKeys.STREAMS_THREADS_AUTO;

    private static HardnegConfig config(Map<String, String> settings) {
        Map<String, String> m = new java.util.HashMap<>(settings);
        m.put("bootstrap.servers", "unused:9092");
        return ConfigLoader.fromMap(m);
    }

    @Test
    void shouldDefaultToAutoAndAcceptExplicitCounts() {
        // (decision 0015: two threads on 2 cores, once a heavy model's batches were bounded in time)
        assertThat(config(Map.of()).streams().threads()).isEqualTo(AUTO);
        assertThat(config(Map.of("streams.threads", "AUTO")).streams().threads()).isEqualTo(AUTO);
        assertThat(config(Map.of("streams.threads", "1")).streams().threads()).isEqualTo(1);
    }

    @Test
    void shouldTakeOneThreadPerCoreWhenThePartitionsAllowIt() {
        // Given auto on 2 cores and the 4 partitions of topics/images.yaml
        // Then one thread per core
        assertThat(StreamThreads.resolve(AUTO, 2, 4)).isEqualTo(2);
        assertThat(StreamThreads.resolve(AUTO, 4, 4)).isEqualTo(4);
    }

    @Test
    void shouldNotRunMoreThreadsThanInputPartitions() {
        // Given more cores than partitions: a thread beyond them would own no task
        assertThat(StreamThreads.resolve(AUTO, 16, 4)).isEqualTo(4);
        assertThat(StreamThreads.resolve(AUTO, 16, 1)).isEqualTo(1);
    }

    @Test
    void shouldFallBackToTheCoresWhenThePartitionsAreUnknown() {
        assertThat(StreamThreads.resolve(AUTO, 3, StreamThreads.PARTITIONS_UNKNOWN)).isEqualTo(3);
        // and never below one thread, whatever the JVM reports
        assertThat(StreamThreads.resolve(AUTO, 0, StreamThreads.PARTITIONS_UNKNOWN)).isEqualTo(1);
    }

    @Test
    void shouldKeepAnExplicitCountWhateverTheCoresAndPartitions() {
        int explicit = config(Map.of("streams.threads", "3")).streams().threads();
        assertThat(StreamThreads.resolve(explicit, 2, 4)).isEqualTo(3);
        assertThat(StreamThreads.resolve(explicit, 16, 1)).isEqualTo(3);
        assertThat(StreamThreads.resolve(1, 16, 16)).isEqualTo(1);
    }

    @Test
    void shouldRefuseAZeroOrTextOtherThanAutoNamingTheAllowedValues() {
        assertThatThrownBy(() -> config(Map.of("streams.threads", "0")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("streams.threads=0")
                .hasMessageContaining("auto or 1..64");
        assertThatThrownBy(() -> config(Map.of("streams.threads", "many")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("auto or 1..64");
    }

    @Test
    void shouldHandTheResolvedCountToKafkaStreams() {
        // Given auto, resolved for 3 threads by the service, and an explicit 1
        Map<String, String> auto = Map.of("streams.threads", "auto");
        assertThat(StreamsSettings.of(config(auto), "/tmp/x", 3)
                .getProperty(StreamsConfig.NUM_STREAM_THREADS_CONFIG)).isEqualTo("3");
        assertThat(StreamsSettings.of(config(Map.of("streams.threads", "1")), "/tmp/x")
                .getProperty(StreamsConfig.NUM_STREAM_THREADS_CONFIG)).isEqualTo("1");
        // And auto without a partition count: one per core of this JVM
        assertThat(StreamsSettings.of(config(auto), "/tmp/x")
                .getProperty(StreamsConfig.NUM_STREAM_THREADS_CONFIG))
                .isEqualTo(Integer.toString(Runtime.getRuntime().availableProcessors()));
    }
}
