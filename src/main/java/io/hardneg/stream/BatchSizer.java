package io.hardneg.stream;

/**
 * Sizes a task's inference batches by the model's measured time per image, so that one batch's decode and inference
 * take about {@code inference.batch.max-ms}: a light model still fills {@code inference.batch.max}, while a heavy one
 * gets batches small enough that a stream thread's wait on inference, with its transaction open, stays near the bound
 * instead of growing with the batch size.
 *
 * <p>The first batches are small and grow at most twofold a batch, so a cold start makes no long batch before the
 * model's cost is known; a heavier model swapped in is measured afresh on its first batch, which still has the old
 * size. Thread-safe: the inference worker reports batches while the stream thread reads the size.
 */
final class BatchSizer {

    /** The first batch's size: small enough for any model we have met to stay well inside the bound. */
    static final int FIRST = 32;

    /** Weight of the latest batch in the running estimate of time per image. */
    private static final double WEIGHT = 0.5;

    private final int max;
    private final long budgetNanos;
    private String version;
    private double nanosPerImage = Double.NaN;
    private volatile int size;

    /**
     * @param max      {@code inference.batch.max}
     * @param budgetMs {@code inference.batch.max-ms}; 0 leaves {@code max} as the only bound
     */
    BatchSizer(int max, long budgetMs) {
        this.max = max;
        this.budgetNanos = budgetMs * 1_000_000L;
        this.size = budgetMs == 0 ? max : Math.min(max, FIRST);
    }

    /** Images the next batch may hold. */
    int size() {
        return size;
    }

    /** A batch of {@code images} on model {@code version} took {@code nanos} to decode and embed. */
    synchronized void observe(String version, int images, long nanos) {
        if (budgetNanos == 0 || images <= 0) {
            return;
        }
        double perImage = Math.max(1.0, (double) nanos / images);
        if (!version.equals(this.version) || Double.isNaN(nanosPerImage)) {
            // Another model's cost says nothing about this one's.
            this.version = version;
            nanosPerImage = perImage;
        } else {
            nanosPerImage = WEIGHT * perImage + (1 - WEIGHT) * nanosPerImage;
        }
        long fits = (long) (budgetNanos / nanosPerImage);
        long grown = 2L * size;
        size = (int) Math.max(1, Math.min(max, Math.min(fits, grown)));
    }
}
