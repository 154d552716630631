package io.hardneg.config;

/** Which mined kinds are published, in pytorch-metric-learning's TripletMarginMiner vocabulary. */
public enum MiningPolicy {
    /** Only hard triplets: gap &lt; 0. */
    HARD,
    /** Only semi-hard triplets: 0 ≤ gap &lt; α. */
    SEMIHARD,
    /** Both: gap &lt; α. */
    ALL
}
