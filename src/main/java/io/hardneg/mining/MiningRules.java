package io.hardneg.mining;

import io.hardneg.config.MiningPolicy;

/**
 * What the miner publishes: the margin, the policy and the AP:AN ratio caps.
 *
 * @param positivesPerAnchor at most this many positives per anchor, the farthest first
 * @param negativesPerPositive at most this many negatives per anchor–positive pair, the hardest first
 */
public record MiningRules(float alpha, MiningPolicy policy, int positivesPerAnchor, int negativesPerPositive) {

    public MiningRules {
        if (!(alpha > 0f) || positivesPerAnchor < 1 || negativesPerPositive < 1) {
            throw new IllegalArgumentException("mining needs alpha > 0 and caps >= 1; found alpha=" + alpha
                    + ", positives=" + positivesPerAnchor + ", negatives=" + negativesPerPositive);
        }
    }

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
}
