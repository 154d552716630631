package io.hardneg.bench;

import io.hardneg.mining.Triplet;
import io.hardneg.stream.PipelineObserver;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts what a benchmarked service did with its labeled images, so a stage can show it mined what it was fed
 * rather than skipping it (as exact-duplicate suppression does for a backlog that repeats its images), and how
 * full its inference batches were.
 */
final class MiningTally implements PipelineObserver {

    private final LongAdder labeled = new LongAdder();
    private final LongAdder mined = new LongAdder();
    private final LongAdder triplets = new LongAdder();
    private final LongAdder batches = new LongAdder();
    private final LongAdder batched = new LongAdder();

    @Override
    public void accepted(boolean isLabeled) {
        if (isLabeled) {
            labeled.increment();
        }
    }

    @Override
    public void mined(List<Triplet> published, int rateLimited) {
        mined.increment();
        triplets.add(published.size());
    }

    @Override
    public void batchEmbedded(int size, long inferenceNanos, String modelVersion, String device) {
        batches.increment();
        batched.add(size);
    }

    /** Images per inference batch, on average over the service's life; NaN before any. */
    double meanBatch() {
        long b = batches.sum();
        return b == 0 ? Double.NaN : batched.sum() / (double) b;
    }

    /** Triplets (or pairs) published over labeled images accepted; NaN before any. */
    double tripletsPerLabeled() {
        long l = labeled.sum();
        return l == 0 ? Double.NaN : triplets.sum() / (double) l;
    }

    /** Labeled images mined against the bank over labeled images accepted; NaN before any. */
    double minedShare() {
        long l = labeled.sum();
        return l == 0 ? Double.NaN : mined.sum() / (double) l;
    }
}
