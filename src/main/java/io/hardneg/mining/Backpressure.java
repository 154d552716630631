package io.hardneg.mining;

/**
 * The retraining topic's consumer lag, and the share of triplets the miner still publishes because of it.
 *
 * <p>Policy: while the slowest consumer group of {@code hard-negatives} lags by at most {@code maxLag} records,
 * the factor is 1; beyond, it is {@code maxLag / lag} (twice the bound → half the triplets), never below
 * {@code minFactor}. The lag is measured off the processing thread (see {@code ConsumerLagMonitor}), so the
 * factor is wall-clock state: decisions that depend on it are not replayed identically after a crash, but
 * exactly-once still holds (every input yields exactly one output set, possibly a smaller one).
 * Thread-safe: one per instance.
 */
public final class Backpressure {

    private final long maxLag;
    private final double minFactor;
    private volatile long lag;
    private volatile double factor = 1.0;

    /** {@code maxLag <= 0} turns backpressure off. */
    public Backpressure(long maxLag, double minFactor) {
        if (!(minFactor > 0 && minFactor <= 1)) {
            throw new IllegalArgumentException("backpressure min factor must be in (0, 1]; found " + minFactor);
        }
        this.maxLag = maxLag;
        this.minFactor = minFactor;
    }

    public static Backpressure off() {
        return new Backpressure(0, 1.0);
    }

    public boolean enabled() {
        return maxLag > 0;
    }

    public long maxLag() {
        return maxLag;
    }

    /** Records the lag just measured (records behind, summed over the topic's partitions). */
    public void observeLag(long lag) {
        this.lag = lag;
        this.factor = factorFor(lag, maxLag, minFactor);
    }

    public long lag() {
        return lag;
    }

    /** The share of triplets to publish now, in [minFactor, 1]. */
    public double factor() {
        return factor;
    }

    static double factorFor(long lag, long maxLag, double minFactor) {
        if (maxLag <= 0 || lag <= maxLag) {
            return 1.0;
        }
        return Math.max(minFactor, (double) maxLag / lag);
    }
}
