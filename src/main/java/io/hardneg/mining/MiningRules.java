package io.hardneg.mining;

import io.hardneg.config.MiningPolicy;
import io.hardneg.config.PositiveRule;

/**
 * What the miner publishes: the margin, the policy, the AP:AN ratio caps and how positives and negatives are
 * chosen.
 *
 * @param positivesPerAnchor at most this many positives per anchor, chosen by {@code positive}
 * @param negativesPerPositive at most this many negatives per anchor–positive pair, chosen by {@code negative}
 * @param gapFloor τ: a negative with gap = d_an − d_ap &lt; −τ is left out (deeper ones are the mislabel
 *                 detector's business, not retraining's); {@code +∞} is no floor
 */
public record MiningRules(float alpha, MiningPolicy policy, int positivesPerAnchor, int negativesPerPositive,
                          PositiveRule positive, NegativeSampling negative, float gapFloor) {

    public MiningRules {
        if (!(alpha > 0f) || positivesPerAnchor < 1 || negativesPerPositive < 1) {
            throw new IllegalArgumentException("mining needs alpha > 0 and caps >= 1; found alpha=" + alpha
                    + ", positives=" + positivesPerAnchor + ", negatives=" + negativesPerPositive);
        }
        if (positive == null || negative == null || policy == null) {
            throw new IllegalArgumentException("mining needs a policy, a positive rule and a negative rule; found "
                    + policy + ", " + positive + ", " + negative);
        }
        if (!(gapFloor >= 0f)) {
            throw new IllegalArgumentException("mining's gap floor must be >= 0 (or +inf for none), found " + gapFloor);
        }
    }

    /** The original rule: the farthest positives and the hardest negatives, no gap floor. */
    public MiningRules(float alpha, MiningPolicy policy, int positivesPerAnchor, int negativesPerPositive) {
        this(alpha, policy, positivesPerAnchor, negativesPerPositive, PositiveRule.FARTHEST,
                new NegativeSampling.Hardest(), Float.POSITIVE_INFINITY);
    }

    /**
     * The original rule with α = 0.2, policy all and the 1:3 ratio: what the configuration's defaults were when the
     * rules got names. Tests and the bench use it; the service's defaults are {@code ConfigLoader}'s.
     */
    public static MiningRules defaults() {
        return new MiningRules(0.2f, MiningPolicy.ALL, 1, 3);
    }

    /** Whether a triplet of this kind is published under the policy. */
    public boolean accepts(TripletKind kind) {
        return switch (policy) {
            case HARD -> kind == TripletKind.HARD;
            case SEMIHARD -> kind == TripletKind.SEMIHARD;
            case ALL -> kind != TripletKind.EASY;
        };
    }

    /** Whether a negative at this gap is in the window: under α, accepted by the policy, not below −τ. */
    public boolean admits(float gap) {
        return gap < alpha && gap >= -gapFloor && accepts(TripletKind.of(gap, alpha));
    }
}
