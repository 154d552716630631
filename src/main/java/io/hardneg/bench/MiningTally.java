package io.hardneg.bench;

import io.hardneg.mining.Triplet;
import io.hardneg.stream.PipelineObserver;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts what a benchmarked service did with its labeled images, so a stage can show it mined what it was fed
 * rather than skipping it (as exact-duplicate suppression does for a backlog that repeats its images).
 */
final class MiningTally implements PipelineObserver {

    private final LongAdder labeled = new LongAdder();
    private final LongAdder mined = new LongAdder();

    @Override
    public void accepted(boolean isLabeled) {
        if (isLabeled) {
            labeled.increment();
        }
    }

    @Override
    public void mined(List<Triplet> published, int rateLimited) {
        mined.increment();
    }

    /** Labeled images mined against the bank over labeled images accepted; NaN before any. */
    double minedShare() {
        long l = labeled.sum();
        return l == 0 ? Double.NaN : mined.sum() / (double) l;
    }
}
