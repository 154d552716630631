package io.hardneg.mining;

import io.hardneg.config.HardnegConfig;
import java.util.function.Supplier;

/**
 * What stands between the miner and the retraining topic: exact-duplicate and near-duplicate suppression,
 * suspected-mislabel detection and per-label quotas, each a small package-private class built by
 * {@link #perTask}. One per stream task; the duplicate filters it holds are shared by the instance.
 */
public final class MiningGuards {

    /** Labels whose recent negatives the near-duplicate filter remembers; the least recently used is forgotten. */
    private static final int NEAR_DUPLICATE_MAX_LABELS = 10_000;

    private final DuplicateFilter duplicates;
    private final NearDuplicateFilter nearDuplicates;
    private final MislabelDetector detector;
    private final TripletQuota quota;
    private final GuardEvents events;

    /** {@code detector} null turns mislabel routing off. */
    MiningGuards(DuplicateFilter duplicates, NearDuplicateFilter nearDuplicates, MislabelDetector detector,
                 TripletQuota quota, GuardEvents events) {
        this.duplicates = duplicates;
        this.nearDuplicates = nearDuplicates;
        this.detector = detector;
        this.quota = quota;
        this.events = events;
    }

    /**
     * The guards of an instance's tasks: each call gives a task its own mislabel detector and quotas, around
     * duplicate filters built once here and shared, so duplicates are caught across the partitions it processes.
     */
    public static Supplier<MiningGuards> perTask(HardnegConfig config, Backpressure backpressure, GuardEvents events) {
        DuplicateFilter duplicates = new DuplicateFilter(config.dedup().exactWindow());
        NearDuplicateFilter nearDuplicates = new NearDuplicateFilter(config.dedup().nearEpsilon(),
                config.dedup().nearWindow(), NEAR_DUPLICATE_MAX_LABELS);
        HardnegConfig.Mining.Suspect s = config.mining().suspect();
        HardnegConfig.Mining.Quota q = config.mining().quota();
        HardnegConfig.Mining.RateLimit rate = config.mining().rateLimit();
        return () -> {
            MislabelDetector detector = s.enabled() ? new MislabelDetector(
                    new MislabelDetector.Rules(s.tau(), s.k(), s.agreement(), s.minPositives()), Distances.create())
                    : null;
            TripletQuota quota = new TripletQuota(new LabelRateLimiter(rate.perLabel(), rate.burst()),
                    q.perWindow(), q.windowMs(), backpressure);
            return new MiningGuards(duplicates, nearDuplicates, detector, quota, events);
        };
    }

    /** True when a labeled image is an exact duplicate of a recent one: embed it, do not mine it. */
    public boolean isDuplicate(String id, byte[] image) {
        if (duplicates.isDuplicate(id, image)) {
            events.duplicateSkipped();
            return true;
        }
        return false;
    }

    /** The mislabel detector the miner's pass feeds, or null when routing is off. */
    public MislabelDetector detector() {
        return detector;
    }

    /** Whether to publish {@code t} for anchor {@code a}: near-duplicate filter, then quotas. */
    public Verdict admit(MemoryBank bank, EmbeddedImage a, Triplet t) {
        float[] neg = nearDuplicates.enabled() ? bank.embeddingOf(t.negative().label(), t.negative().id()) : null;
        if (nearDuplicates.isNearDuplicate(a.label(), a.id(), t.negative().id(), neg)) {
            events.nearDuplicateSkipped();
            return Verdict.NEAR_DUPLICATE;
        }
        TripletQuota.Decision d = quota.tryAcquire(a.label(), a.timestamp());
        if (d != TripletQuota.Decision.PUBLISH) {
            events.throttled(d.tag());
            return d == TripletQuota.Decision.RATE ? Verdict.RATE_LIMITED : Verdict.THROTTLED;
        }
        // Remembered only once published: a held-back negative must not suppress a later one.
        nearDuplicates.published(a.label(), a.id(), t.negative().id(), neg);
        return Verdict.PUBLISH;
    }

    /** The outcome for one triplet; {@code RATE_LIMITED} is what {@code mined(…, rateLimited)} has always counted. */
    public enum Verdict {
        PUBLISH, NEAR_DUPLICATE, THROTTLED, RATE_LIMITED
    }
}
