package io.hardneg.config;

/** How the miner chooses a positive's negatives among the candidates in its window ({@code mining.negative}). */
public enum NegativeRule {
    /** The closest first: the original rule. */
    HARDEST,
    /** A draw with probability ∝ exp(−β·d_an). */
    SOFT,
    /** A draw weighted by the inverse density of distances on the sphere (Wu et al. 2017). */
    DISTANCE_WEIGHTED
}
