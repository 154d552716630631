package io.hardneg.config;

/** Which of an anchor's eligible positives the miner takes ({@code mining.positive}). */
public enum PositiveRule {
    /** The farthest first: the original rule. */
    FARTHEST,
    /** The nearest first. */
    NEAREST,
    /** A uniform draw without replacement, derived from the record (see DESIGN.md, "Mining, precisely"). */
    RANDOM
}
