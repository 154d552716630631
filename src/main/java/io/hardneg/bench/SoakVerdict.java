package io.hardneg.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The soak's verdict from its per-interval readings: after the warm-up, no resource grows (robust slopes within
 * bounds) and the e2e p99 of every interval stays within 1.5× of the first one's.
 */
final class SoakVerdict {

    /** The share of the intervals, from the start, left out of the verdict: start-up, JIT, bank filling. */
    static final double WARMUP_SHARE = 0.2;
    /** Heap after a full GC may grow by at most this share of {@code -Xmx} per minute. */
    static final double HEAP_SLOPE_OF_MAX = 0.005;
    /**
     * RSS outside the committed heap may grow by at most this share of {@code -Xmx} per minute (native arenas and the
     * code cache move). The committed heap is left out: G1 grows it towards {@code -Xmx} as it sizes the young
     * generation, which is bounded and no leak (the heap rule judges what is live in it).
     */
    static final double RSS_SLOPE_OF_MAX = 0.01;
    /** Open file descriptors and threads may grow by at most this many over the measured window (fitted). */
    static final double COUNT_GROWTH = 2;
    /** Each interval's p99 may be at most this multiple of the first measured interval's... */
    static final double P99_FACTOR = 1.5;
    /** ...or this many ms above it, whichever is more: on a p99 of 20 ms, 1.5× is scheduler noise. */
    static final double P99_SLACK_MS = 20;

    private SoakVerdict() {
    }

    /** One interval's readings; {@code minute} is the interval's end, in minutes from the soak's start. */
    record Minute(double minute, int samples, double p50Ms, double p99Ms, double maxMs, double heapAfterGcMb,
                  double heapCommittedMb, double gcMs, double rssMb, int fds, int threads, int bankRows, double bankImageMb,
                  long pendingRecords, double bufferChangelogMb, double bankTopicMb, String modelVersion) {
    }

    /** Pass or fail, each reason in one line, and the slopes (per minute) over the measured window. */
    record Result(boolean pass, List<String> reasons, Map<String, Double> slopesPerMinute, int warmupIntervals) {
    }

    /** How many of {@code n} intervals are warm-up: a fifth, at least one. */
    static int warmupIntervals(int n) {
        return Math.max(1, (int) Math.ceil(n * WARMUP_SHARE));
    }

    /** Readings the slope compares pairwise at most; a longer soak is thinned to this many first. */
    static final int MAX_SLOPE_POINTS = 500;

    /**
     * The Theil–Sen slope of y over x: the median of the slopes between every two readings; NaN with fewer than two
     * distinct x. A leak grows steadily and shows in most pairs; a one-off step (G1 touching heap it committed a
     * reading earlier, the code cache filling) shows only in the pairs that straddle it, which a least-squares fit
     * would let dominate a short window. Beyond {@link #MAX_SLOPE_POINTS} readings, consecutive ones are first
     * merged into that many (mean x, median y), so a day of 10-second readings costs ~125,000 pairs, not 37 million.
     */
    static double slope(double[] x, double[] y) {
        if (x.length > MAX_SLOPE_POINTS) {
            double[][] thin = thin(x, y, MAX_SLOPE_POINTS);
            x = thin[0];
            y = thin[1];
        }
        int n = x.length;
        double[] slopes = new double[n * (n - 1) / 2];
        int k = 0;
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                if (x[j] != x[i]) {
                    slopes[k++] = (y[j] - y[i]) / (x[j] - x[i]);
                }
            }
        }
        if (k == 0) {
            return Double.NaN;
        }
        Arrays.sort(slopes, 0, k);
        return k % 2 == 1 ? slopes[k / 2] : (slopes[k / 2 - 1] + slopes[k / 2]) / 2;
    }

    /** {@code groups} runs of consecutive readings, each as its mean x and median y. */
    private static double[][] thin(double[] x, double[] y, int groups) {
        double[] gx = new double[groups];
        double[] gy = new double[groups];
        for (int g = 0; g < groups; g++) {
            int from = (int) ((long) g * x.length / groups);
            int to = (int) ((long) (g + 1) * x.length / groups);
            double[] ys = Arrays.copyOfRange(y, from, to);
            Arrays.sort(ys);
            int m = ys.length;
            gy[g] = m % 2 == 1 ? ys[m / 2] : (ys[m / 2 - 1] + ys[m / 2]) / 2;
            double sx = 0;
            for (int i = from; i < to; i++) {
                sx += x[i];
            }
            gx[g] = sx / m;
        }
        return new double[][] {gx, gy};
    }

    /**
     * Judges the intervals after the warm-up; {@code maxHeapMb} scales the memory bounds, {@code swapped} says
     * whether the hot swap in the middle took.
     */
    static Result judge(List<Minute> rows, double maxHeapMb, boolean swapped) {
        int warm = warmupIntervals(rows.size());
        List<Minute> m = rows.subList(Math.min(warm, rows.size()), rows.size());
        List<String> reasons = new ArrayList<>();
        Map<String, Double> slopes = new LinkedHashMap<>();
        if (!swapped) {
            reasons.add("the hot swap did not take: the service kept its first model version");
        }
        if (m.size() < 3) {
            reasons.add("only " + m.size() + " interval(s) after the warm-up of " + warm + "; at least 3 are needed");
            return new Result(false, reasons, slopes, warm);
        }
        double[] x = m.stream().mapToDouble(Minute::minute).toArray();
        double span = x[x.length - 1] - x[0];
        double heap = slope(x, m.stream().mapToDouble(Minute::heapAfterGcMb).toArray());
        double rss = slope(x, m.stream().mapToDouble(r -> r.rssMb() - r.heapCommittedMb()).toArray());
        double fds = slope(x, m.stream().mapToDouble(Minute::fds).toArray());
        double threads = slope(x, m.stream().mapToDouble(Minute::threads).toArray());
        slopes.put("heap_after_gc_mb", heap);
        slopes.put("rss_outside_heap_mb", rss);
        slopes.put("rss_mb", slope(x, m.stream().mapToDouble(Minute::rssMb).toArray()));
        slopes.put("fds", fds);
        slopes.put("threads", threads);
        bound(reasons, "heap after GC", heap, HEAP_SLOPE_OF_MAX * maxHeapMb, "MB/min");
        bound(reasons, "RSS outside the committed heap", rss, RSS_SLOPE_OF_MAX * maxHeapMb, "MB/min");
        bound(reasons, "open file descriptors", fds, COUNT_GROWTH / span, "/min");
        bound(reasons, "threads", threads, COUNT_GROWTH / span, "/min");
        double ref = m.get(0).p99Ms();
        double limit = Math.max(P99_FACTOR * ref, ref + P99_SLACK_MS);
        for (Minute r : m) {
            if (r.samples() == 0 || Double.isNaN(r.p99Ms())) {
                reasons.add(String.format("no committed output in the interval ending at minute %.2f", r.minute()));
            } else if (r.p99Ms() > limit) {
                reasons.add(String.format("e2e p99 %.0f ms in the interval ending at minute %.2f, above %.0f ms "
                        + "(%.1f× the first measured interval's %.0f ms)", r.p99Ms(), r.minute(), limit, P99_FACTOR,
                        ref));
            }
        }
        return new Result(reasons.isEmpty(), reasons, slopes, warm);
    }

    private static void bound(List<String> reasons, String what, double slope, double max, String unit) {
        if (Double.isNaN(slope) || slope > max) {
            reasons.add(String.format("%s grew %.3g %s after the warm-up, above the bound of %.3g %s", what, slope,
                    unit, max, unit));
        }
    }
}
