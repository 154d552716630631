package io.hardneg.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LatencyWindowsTest {

    @Test
    void shouldFindAStallAndTheEightSecondsItFellIn() {
        // Given 32 s at 100 samples a second, 50 ms each, but 400 ms for those sent 20.0-20.5 s in
        List<String> lines = new ArrayList<>(List.of("sent_ms,latency_ms"));
        long t0 = 1_000_000;
        for (int i = 0; i < 3_200; i++) {
            long sent = t0 + i * 10L;
            boolean stalled = i >= 2_000 && i < 2_050;
            lines.add(sent + "," + (stalled ? 400 : 50));
        }
        String s = LatencyWindows.summarise(lines);
        // Then the p99 over the whole window is the steady one (50 of 3,200 samples is 1.6%: above the 1%), the
        // third 8 s holds the stall, and two quarter-seconds had a median above 150 ms
        assertThat(s).contains("3200 samples").contains("p99 400 ms")
                .contains("p99 of each 8 s [50, 50, 400, 50]")
                .contains("2 quarter-seconds").contains("1.56% of samples above 200 ms");
    }

    @Test
    void shouldSaySoWhenTheFileHasNoSamples() {
        assertThat(LatencyWindows.summarise(List.of("sent_ms,latency_ms"))).isEqualTo("no samples");
    }
}
