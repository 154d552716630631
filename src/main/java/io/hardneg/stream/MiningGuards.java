package io.hardneg.stream;

import io.hardneg.mining.DuplicateFilter;
import io.hardneg.mining.EmbeddedImage;
import io.hardneg.mining.MemoryBank;
import io.hardneg.mining.MislabelDetector;
import io.hardneg.mining.NearDuplicateFilter;
import io.hardneg.mining.Triplet;
import io.hardneg.mining.TripletQuota;

/**
 * What stands between the miner and the retraining topic: exact-duplicate and near-duplicate suppression,
 * suspected-mislabel routing and per-label quotas, each a small class of {@code mining}; the processor calls
 * this in a few places. One per stream task; the duplicate filters it holds are shared by the instance.
 */
final class MiningGuards {

    private final DuplicateFilter duplicates;
    private final NearDuplicateFilter nearDuplicates;
    private final MislabelDetector detector;
    private final TripletQuota quota;
    private final SuspectJson json;
    private final PipelineObserver observer;

    /** {@code detector} null turns mislabel routing off. */
    MiningGuards(DuplicateFilter duplicates, NearDuplicateFilter nearDuplicates, MislabelDetector detector,
                 TripletQuota quota, SuspectJson json, PipelineObserver observer) {
        this.duplicates = duplicates;
        this.nearDuplicates = nearDuplicates;
        this.detector = detector;
        this.quota = quota;
        this.json = json;
        this.observer = observer;
    }

    /** True when a labeled image is an exact duplicate of a recent one: embed it, do not mine it. */
    boolean isDuplicate(String id, byte[] image) {
        if (duplicates.isDuplicate(id, image)) {
            observer.duplicateSkipped();
            return true;
        }
        return false;
    }

    /** The mislabel detector the miner's pass feeds, or null when routing is off. */
    MislabelDetector detector() {
        return detector;
    }

    /** The suspect-labels record's value; counts the suspicion. */
    byte[] suspectRecord(MislabelDetector.Suspicion s, long now) {
        observer.suspected(s.anchor().label(), s.suggestedLabel());
        return json.suspicion(s, now);
    }

    /** Whether to publish {@code t} for anchor {@code a}: near-duplicate filter, then quotas. */
    Verdict admit(MemoryBank bank, EmbeddedImage a, Triplet t) {
        float[] neg = nearDuplicates.enabled() ? bank.embeddingOf(t.negative().label(), t.negative().id()) : null;
        if (nearDuplicates.isNearDuplicate(a.label(), a.id(), t.negative().id(), neg)) {
            observer.nearDuplicateSkipped();
            return Verdict.NEAR_DUPLICATE;
        }
        TripletQuota.Decision d = quota.tryAcquire(a.label(), a.timestamp());
        if (d != TripletQuota.Decision.PUBLISH) {
            observer.throttled(d.tag());
            return d == TripletQuota.Decision.RATE ? Verdict.RATE_LIMITED : Verdict.THROTTLED;
        }
        // Remembered only once published: a held-back negative must not suppress a later one.
        nearDuplicates.published(a.label(), a.id(), t.negative().id(), neg);
        return Verdict.PUBLISH;
    }

    /** The outcome for one triplet; {@code RATE_LIMITED} is what {@code mined(…, rateLimited)} has always counted. */
    enum Verdict {
        PUBLISH, NEAR_DUPLICATE, THROTTLED, RATE_LIMITED
    }
}
