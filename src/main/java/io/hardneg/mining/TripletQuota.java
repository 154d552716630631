package io.hardneg.mining;

import java.util.HashMap;
import java.util.Map;

/**
 * Per-label quotas on published triplets, so that a flood of one class cannot crowd out rare ones: a token
 * bucket ({@link LabelRateLimiter}), a cap per event-time tumbling window, and backpressure thinning.
 *
 * <p>The checks run cheapest-refusal first and consume nothing when they refuse: window cap, then
 * backpressure (with factor f, every label publishes f of its candidates, deterministically: a credit of f
 * per candidate, one published per whole credit), then the token bucket. Bucket and window follow the
 * records' timestamps, so they replay identically; the backpressure factor does not (see {@link Backpressure}).
 * Not thread-safe: one per stream task, like the rate limiter, so the caps hold per input partition.
 */
final class TripletQuota {

    /** What happened to one candidate triplet. */
    public enum Decision {
        PUBLISH, WINDOW_CAP, BACKPRESSURE, RATE;

        /** The metric tag: {@code window_cap}, {@code backpressure}, {@code rate}. */
        public String tag() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private final LabelRateLimiter limiter;
    private final int perWindow;
    private final long windowMs;
    private final Backpressure backpressure;
    /** Per label: [0] = window start, [1] = published in it. */
    private final Map<String, long[]> windows = new HashMap<>();
    private final Map<String, double[]> credit = new HashMap<>();

    /** {@code perWindow <= 0} turns the window cap off. */
    public TripletQuota(LabelRateLimiter limiter, int perWindow, long windowMs, Backpressure backpressure) {
        if (perWindow > 0 && windowMs <= 0) {
            throw new IllegalArgumentException("a quota per window needs a window > 0 ms; found " + windowMs);
        }
        this.limiter = limiter;
        this.perWindow = perWindow;
        this.windowMs = windowMs;
        this.backpressure = backpressure;
    }

    /** Decides for one candidate triplet of an anchor with {@code label} at event time {@code timestampMs}. */
    public Decision tryAcquire(String label, long timestampMs) {
        long[] w = null;
        if (perWindow > 0) {
            long start = timestampMs - Math.floorMod(timestampMs, windowMs);
            w = windows.computeIfAbsent(label, l -> new long[] {start, 0});
            if (start > w[0]) {
                w[0] = start;
                w[1] = 0;
            }
            // A late record counts into the current window: windows never reopen.
            if (w[1] >= perWindow) {
                return Decision.WINDOW_CAP;
            }
        }
        if (backpressure.enabled()) {
            double[] c = credit.computeIfAbsent(label, l -> new double[] {0});
            double f = backpressure.factor();
            c[0] = f >= 1.0 ? 0 : c[0] + f;
            if (f < 1.0) {
                if (c[0] < 1.0) {
                    return Decision.BACKPRESSURE;
                }
                c[0] -= 1.0;
            }
        }
        if (!limiter.tryAcquire(label, timestampMs)) {
            return Decision.RATE;
        }
        if (w != null) {
            w[1]++;
        }
        return Decision.PUBLISH;
    }
}
