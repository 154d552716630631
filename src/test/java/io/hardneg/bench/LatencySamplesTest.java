package io.hardneg.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LatencySamplesTest {

    @Test
    void shouldFindTheStalledWindowAndIgnoreWindowsTooSmallToJudge() {
        // Given 20 samples of 50 ms in [0, 250), 20 of 300 ms in [250, 500) (a stall), and 5 of 1 s in [500, 750)
        int n = 45;
        long[] sent = new long[n];
        long[] latency = new long[n];
        for (int i = 0; i < n; i++) {
            sent[i] = i < 20 ? i * 10 : i < 40 ? 250 + (i - 20) * 10 : 500 + (i - 40) * 10;
            latency[i] = i < 20 ? 50 : i < 40 ? 300 : 1000;
        }
        CommittedCounter.Samples samples = new CommittedCounter.Samples(sent, latency);
        // Then the worst judged window is the stall, and the sorted view ends with the largest latency
        assertThat(samples.worstWindowMedian(250)).isEqualTo(300.0);
        assertThat(samples.worstWindowMedian(1000)).isEqualTo(300.0);
        assertThat(samples.sorted()).startsWith(50L).endsWith(1000L).hasSize(n);
        assertThat(new CommittedCounter.Samples(new long[0], new long[0]).worstWindowMedian(250)).isNaN();
    }
}
