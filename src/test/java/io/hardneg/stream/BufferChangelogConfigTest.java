package io.hardneg.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.hardneg.config.ConfigLoader;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BufferChangelogConfigTest {

    @Test
    void shouldRollSmallSegmentsAndDropTombstonesAfterTenMinutes() {
        // Given the default input limit (10 MiB)
        Map<String, String> c = MiningTopology.bufferChangelogConfig(ConfigLoader.fromMap(Map.of()));

        // Then segments are 64 MiB, not Kafka's 1 GiB, and tombstones go after 10 minutes, not a day
        assertThat(c).containsEntry("segment.bytes", Integer.toString(64 * 1024 * 1024))
                .containsEntry("delete.retention.ms", "600000")
                .containsEntry("segment.ms", "600000");
        assertThat(Integer.parseInt(c.get("segment.bytes")))
                .isGreaterThanOrEqualTo(Integer.parseInt(c.get("max.message.bytes")));
    }

    @Test
    void shouldGrowTheSegmentToHoldTheLargestRecordTheTopicAccepts() {
        // Given images of up to 100 MiB
        Map<String, String> c = MiningTopology.bufferChangelogConfig(
                ConfigLoader.fromMap(Map.of("input.max-bytes", Integer.toString(100 * 1024 * 1024))));

        // Then a segment still holds one such record, or the broker would refuse it
        assertThat(Integer.parseInt(c.get("segment.bytes"))).isEqualTo(Integer.parseInt(c.get("max.message.bytes")))
                .isGreaterThan(100 * 1024 * 1024);
    }
}
