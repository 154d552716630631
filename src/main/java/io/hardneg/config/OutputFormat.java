package io.hardneg.config;

/** What the retraining topic carries: triplets, or anchor–positive / anchor–negative pairs for siamese trainers. */
public enum OutputFormat { TRIPLETS, PAIRS }
