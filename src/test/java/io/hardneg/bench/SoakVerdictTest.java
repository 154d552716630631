package io.hardneg.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.hardneg.bench.SoakVerdict.Minute;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;

class SoakVerdictTest {

    private static final double MAX_HEAP_MB = 6000; // bounds: heap 30 MB/min, RSS 60 MB/min

    /** Ten one-minute rows, steady unless {@code change} says otherwise. */
    private static List<Minute> rows(IntFunction<Minute> change) {
        List<Minute> rows = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            rows.add(change.apply(i));
        }
        return rows;
    }

    private static Minute steady(int i) {
        return minute(i, 400 + (i % 2) * 5, 900, 300, 120, 80);
    }

    private static Minute minute(int i, double heap, double rss, int fds, int threads, double p99) {
        return new Minute(i + 1, 1000, 20, p99, p99 + 10, heap, 1000, 150, rss, fds, threads, 5000, 30, 12, 4, 20,
                "1");
    }

    @Test
    void shouldFitTheMedianOfThePairwiseSlopes() {
        assertThat(SoakVerdict.slope(new double[] {1, 2, 3, 4}, new double[] {10, 12, 14, 16})).isEqualTo(2.0);
        // noise around a flat line fits a slope near 0, not the last minus the first: pairs 4, 0, 4/3, -4, 0, 4
        assertThat(SoakVerdict.slope(new double[] {1, 2, 3, 4}, new double[] {5, 9, 5, 9}))
                .isCloseTo(2.0 / 3, within(1e-9));
        // one step among flat readings moves it little; a least-squares fit would give 91
        assertThat(SoakVerdict.slope(new double[] {1, 2, 3, 4, 5, 6, 7}, new double[] {0, 400, 400, 400, 400, 400, 400}))
                .isZero();
        assertThat(SoakVerdict.slope(new double[] {1}, new double[] {3})).isNaN();
        assertThat(SoakVerdict.slope(new double[] {2, 2}, new double[] {3, 4})).isNaN();
    }

    @Test
    void shouldThinALongSoakBeforeComparingPairs() {
        // Given a week of 10-second readings growing 3 per minute, with every 97th reading a spike of 1,000
        int n = 60_480;
        double[] x = new double[n];
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = i / 6.0;
            y[i] = 3 * x[i] + (i % 97 == 0 ? 1000 : 0);
        }
        // Then the slope is the growth, not the spikes, and it is found without comparing 1.8 billion pairs
        assertThat(SoakVerdict.slope(x, y)).isCloseTo(3.0, within(1e-6));
        // And just past the limit, thinning keeps a steady line's slope
        double[] x2 = new double[SoakVerdict.MAX_SLOPE_POINTS + 1];
        double[] y2 = new double[x2.length];
        for (int i = 0; i < x2.length; i++) {
            x2[i] = i;
            y2[i] = 100 - 0.5 * i;
        }
        assertThat(SoakVerdict.slope(x2, y2)).isCloseTo(-0.5, within(1e-3));
    }

    @Test
    void shouldLeaveAFifthOfTheIntervalsOutAsWarmUp() {
        assertThat(SoakVerdict.warmupIntervals(30)).isEqualTo(6);
        assertThat(SoakVerdict.warmupIntervals(8)).isEqualTo(2);
        assertThat(SoakVerdict.warmupIntervals(2)).isEqualTo(1);
    }

    @Test
    void shouldPassASteadySoakWhoseWarmUpGrew() {
        // Given a soak whose first two minutes grew fast (start-up) and that is flat afterwards
        List<Minute> rows = rows(i -> i < 2 ? minute(i, 100 * i, 300 * i, 200 + 40 * i, 60 + 30 * i, 300)
                : steady(i));
        // When it is judged
        SoakVerdict.Result r = SoakVerdict.judge(rows, MAX_HEAP_MB, true);
        // Then the warm-up is left out and it passes
        assertThat(r.reasons()).isEmpty();
        assertThat(r.pass()).isTrue();
        assertThat(r.warmupIntervals()).isEqualTo(2);
        assertThat(r.slopesPerMinute().get("heap_after_gc_mb")).isCloseTo(0, within(1.0));
    }

    @Test
    void shouldFailAHeapThatGrowsFasterThanItsBound() {
        // 40 MB/min after the warm-up, over the 30 MB/min (0.5% of 6,000 MB)
        List<Minute> rows = rows(i -> minute(i, 400 + 40 * i, 900, 300, 120, 80));
        SoakVerdict.Result r = SoakVerdict.judge(rows, MAX_HEAP_MB, true);
        assertThat(r.pass()).isFalse();
        assertThat(r.reasons()).singleElement().asString().contains("heap after GC grew 40");
        // and 20 MB/min is within it
        assertThat(SoakVerdict.judge(rows(i -> minute(i, 400 + 20 * i, 900, 300, 120, 80)), MAX_HEAP_MB, true)
                .pass()).isTrue();
    }

    @Test
    void shouldFailRssFdsAndThreadsThatKeepGrowing() {
        // RSS 70 MB/min; one more fd and one more thread a minute: 7 over the 7 measured minutes
        List<Minute> rows = rows(i -> minute(i, 400, 900 + 70 * i, 300 + i, 120 + i, 80));
        SoakVerdict.Result r = SoakVerdict.judge(rows, MAX_HEAP_MB, true);
        assertThat(r.reasons()).hasSize(3);
        assertThat(String.join("\n", r.reasons())).contains("RSS outside the committed heap grew", "open file descriptors grew",
                "threads grew");
    }

    @Test
    void shouldNotCountTheHeapG1CommitsAsNativeGrowth() {
        // Given RSS that grows 100 MB/min only because the committed heap does (G1 sizing its young generation)
        List<Minute> rows = rows(i -> new Minute(i + 1, 1000, 20, 80, 90, 400, 1000 + 100 * i, 150, 900 + 100 * i,
                300, 120, 5000, 30, 12, 4, 20, "1"));
        // Then it passes, and the slope of RSS itself is still reported
        SoakVerdict.Result r = SoakVerdict.judge(rows, MAX_HEAP_MB, true);
        assertThat(r.reasons()).isEmpty();
        assertThat(r.slopesPerMinute().get("rss_mb")).isCloseTo(100, within(1e-6));
        assertThat(r.slopesPerMinute().get("rss_outside_heap_mb")).isCloseTo(0, within(1e-6));
    }

    @Test
    void shouldNotCountOneStepOfRssAfterTheWarmUpAsALeak() {
        // Given CI's readings of a 2-minute soak: G1 committed 488 MB more in one interval and RSS caught up in the
        // next (RSS outside the committed heap 256 MB, then 671-686 MB: a least-squares slope of 178 MB/min)
        double[] outside = {0, 0, 0, 256, 671, 680, 685, 685, 685, 686, 686, 686};
        List<Minute> rows = new ArrayList<>();
        for (int i = 0; i < outside.length; i++) {
            rows.add(new Minute((i + 1) / 6.0, 4000, 40, 80, 200, 455, 1548, 140, 1548 + outside[i], 343, 151, 2560,
                    1.3, 0, 10, 20, "1"));
        }
        // Then it passes: the step is not growth
        SoakVerdict.Result r = SoakVerdict.judge(rows, MAX_HEAP_MB, true);
        assertThat(r.reasons()).isEmpty();
        assertThat(r.slopesPerMinute().get("rss_outside_heap_mb")).isLessThan(60);
    }

    @Test
    void shouldFailAStepOfThreadsInTheMiddleOfTheWindow() {
        // Given five threads more from the middle of the measured window on (a pool per swap that stays)
        List<Minute> rows = rows(i -> minute(i, 400, 900, 300, i < 6 ? 120 : 125, 80));
        // Then the fitted growth is over 2 and it fails
        SoakVerdict.Result r = SoakVerdict.judge(rows, MAX_HEAP_MB, true);
        assertThat(r.reasons()).singleElement().asString().contains("threads grew");
    }

    @Test
    void shouldToleratePlusMinusTwoDescriptorsAndThreadsOfNoise() {
        int[] wobble = {0, 2, -1, 1, 0, 2, -2, 1, 0, 1};
        List<Minute> rows = rows(i -> minute(i, 400, 900, 300 + wobble[i], 120 - wobble[i], 80));
        assertThat(SoakVerdict.judge(rows, MAX_HEAP_MB, true).reasons()).isEmpty();
    }

    @Test
    void shouldFailAP99AboveOneAndAHalfTimesTheFirstMeasuredMinutes() {
        // Given a first measured minute (the third) at 100 ms and a later one at 160 ms
        List<Minute> rows = rows(i -> minute(i, 400, 900, 300, 120, i == 7 ? 160 : i < 2 ? 900 : 100));
        SoakVerdict.Result r = SoakVerdict.judge(rows, MAX_HEAP_MB, true);
        // Then that minute fails, naming itself and the limit; the warm-up's 900 ms do not count
        assertThat(r.reasons()).singleElement().asString()
                .contains("p99 160 ms", "minute 8.00", "above 150 ms");
        // And 150 ms passes
        assertThat(SoakVerdict.judge(rows(i -> minute(i, 400, 900, 300, 120, i == 7 ? 150 : 100)), MAX_HEAP_MB, true)
                .pass()).isTrue();
    }

    @Test
    void shouldAllowTwentyMillisecondsOverASmallFirstP99() {
        List<Minute> rows = rows(i -> minute(i, 400, 900, 300, 120, i == 5 ? 29 : 10));
        assertThat(SoakVerdict.judge(rows, MAX_HEAP_MB, true).pass()).isTrue();
        rows = rows(i -> minute(i, 400, 900, 300, 120, i == 5 ? 31 : 10));
        assertThat(SoakVerdict.judge(rows, MAX_HEAP_MB, true).pass()).isFalse();
    }

    @Test
    void shouldFailWhenTheSwapDidNotTakeOrTheOutputStopped() {
        List<Minute> rows = rows(SoakVerdictTest::steady);
        assertThat(SoakVerdict.judge(rows, MAX_HEAP_MB, false).reasons()).singleElement().asString()
                .contains("hot swap did not take");
        rows.set(6, new Minute(7, 0, Double.NaN, Double.NaN, Double.NaN, 400, 1000, 150, 900, 300, 120, 5000, 30, 12,
                4, 20, "1"));
        assertThat(SoakVerdict.judge(rows, MAX_HEAP_MB, true).reasons()).singleElement().asString()
                .contains("no committed output", "minute 7.00");
    }

    @Test
    void shouldRefuseAVerdictOnTooFewIntervals() {
        List<Minute> rows = rows(SoakVerdictTest::steady).subList(0, 3);
        SoakVerdict.Result r = SoakVerdict.judge(rows, MAX_HEAP_MB, true);
        assertThat(r.pass()).isFalse();
        assertThat(r.reasons()).singleElement().asString().contains("only 2 interval(s) after the warm-up");
    }
}
