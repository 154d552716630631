package io.hardneg.mining;

import java.util.HashMap;
import java.util.Map;

/**
 * A token bucket per anchor label, so that one class cannot flood the retraining topic.
 *
 * <p>Tokens refill by the records' own timestamps, not the wall clock, so a replay after a crash makes
 * the same decisions for the same input. Not thread-safe: one per stream task.
 */
final class LabelRateLimiter {

    private final double perSecond;
    private final int burst;
    private final Map<String, double[]> buckets = new HashMap<>();

    /** {@code perSecond <= 0} disables the limit. */
    public LabelRateLimiter(double perSecond, int burst) {
        this.perSecond = perSecond;
        this.burst = burst;
    }

    /** Takes one token for {@code label} at event time {@code timestampMs}; false when none is left. */
    public boolean tryAcquire(String label, long timestampMs) {
        if (perSecond <= 0) {
            return true;
        }
        // bucket[0] = tokens, bucket[1] = event time of the last refill
        double[] bucket = buckets.computeIfAbsent(label, l -> new double[] {burst, timestampMs});
        double elapsed = Math.max(0, timestampMs - bucket[1]) / 1000.0;
        bucket[0] = Math.min(burst, bucket[0] + elapsed * perSecond);
        bucket[1] = Math.max(bucket[1], timestampMs);
        if (bucket[0] >= 1.0) {
            bucket[0] -= 1.0;
            return true;
        }
        return false;
    }
}
