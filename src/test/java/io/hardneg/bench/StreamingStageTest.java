package io.hardneg.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class StreamingStageTest {

    @Test
    void shouldShareTheRecordsProcessedBetweenTheInstancesOverTheWindowOnly() {
        // Given two instances whose counts before the window differ: 900 and 100 records, then 300 more each
        List<Double> shares = StreamingStage.shares(new long[] {900, 100}, new long[] {1200, 400});

        // Then each did half of the window's records, whatever it did before
        assertThat(shares).hasSize(2);
        assertThat(shares.get(0)).isCloseTo(0.5, within(1e-9));
        assertThat(shares.get(1)).isCloseTo(0.5, within(1e-9));
        // And a window without records has no shares
        assertThat(StreamingStage.shares(new long[] {5, 5}, new long[] {5, 5})).isEmpty();
    }
}
