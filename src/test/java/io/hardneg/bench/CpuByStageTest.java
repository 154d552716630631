package io.hardneg.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.hardneg.stream.StageTimer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The by-stage split adds up to the process's CPU per image, with the rest said, never negative. */
class CpuByStageTest {

    private static long[] parts(long each) {
        long[] p = new long[StageTimer.Part.values().length];
        java.util.Arrays.fill(p, each);
        return p;
    }

    @Test
    void shouldAddHelperThreadsToTheirPartsAndReportTheRest() {
        // Given 10 µs per part over 1000 images, helpers and the JVM, and a process that spent 1 s
        long[] p = parts(10_000_000);
        CpuByStage.Helpers helpers = new CpuByStage.Helpers(5_000_000, 20_000_000, 7_000_000, 30_000_000);
        // When split per image
        Map<String, Double> m = CpuByStage.perImage(p, helpers, 1_000_000_000L, 1000);
        // Then the parts come in order, helpers land on decode, inference and mining, and everything adds up
        assertThat(m.keySet()).containsExactly("decode", "inference", "mining", "suspects", "guards", "encoding",
                "sends", "bank_writes", "changelog", "jvm", "kafka_and_other");
        assertThat(m.get("decode")).isEqualTo(15.0);
        assertThat(m.get("inference")).isEqualTo(30.0);
        assertThat(m.get("mining")).isEqualTo(17.0);
        assertThat(m.get("guards")).isEqualTo(10.0);
        assertThat(m.get("jvm")).isEqualTo(30.0);
        assertThat(m.get("kafka_and_other")).isEqualTo(1000.0 - 90 - 32 - 30);
        assertThat(m.values().stream().mapToDouble(Double::doubleValue).sum()).isCloseTo(1000.0, within(0.5));
    }

    @Test
    void shouldNeverReportANegativePart() {
        // Given a part taken back below zero (verdicts judged on the mining workers) and parts above the process
        long[] p = parts(0);
        p[StageTimer.Part.MINING.ordinal()] = -5_000;
        p[StageTimer.Part.DECODE.ordinal()] = 2_000_000;
        Map<String, Double> m = CpuByStage.perImage(p, new CpuByStage.Helpers(0, 0, 0, 0), 1_000_000, 1);
        // Then nothing is negative
        assertThat(m.values()).allMatch(v -> v >= 0);
        assertThat(m.get("kafka_and_other")).isZero();
    }

    @Test
    void shouldSayNothingWithoutImagesOrProcessCpu() {
        for (List<Long> c : List.of(List.of(0L, 1000L), List.of(10L, -1L))) {
            assertThat(CpuByStage.perImage(parts(1), new CpuByStage.Helpers(0, 0, 0, 0), c.get(1), c.get(0)))
                    .isEmpty();
        }
    }

    @Test
    void shouldTakeTheClocksOwnCostOffEachLap() {
        // A lap with nothing in it charges about nothing: the reading's own cost is calibrated away
        ThreadCpuStageTimer t = new ThreadCpuStageTimer();
        for (int i = 0; i < 1000; i++) {
            t.lap(StageTimer.Part.GUARDS, t.start(), 1);
        }
        long charged = t.totals()[StageTimer.Part.GUARDS.ordinal()];
        assertThat(charged / 1000.0).isLessThan(Math.max(1000, t.readingCostNanos()));
    }
}
