package io.hardneg.bench;

import io.hardneg.model.EmbeddingModel;

/**
 * ONNX Runtime's ceiling at one batch size, measured again beside a pipeline repeat so that the pipeline's share of
 * it compares two figures of the same minutes.
 */
final class OrtBeside implements AutoCloseable {

    private final EmbeddingModel model;
    private final int batch;
    private final double seconds;
    private final BenchLog log;

    /** Owns {@code model}; each measurement takes about {@code seconds}. */
    OrtBeside(EmbeddingModel model, int batch, double seconds, BenchLog log) {
        this.model = model;
        this.batch = batch;
        this.seconds = seconds;
        this.log = log;
    }

    /** Images/s at the batch size, the median of short rounds after a warm-up. */
    double measure() throws Exception {
        log.line("ORT ceiling at batch %d again, beside the pipeline", batch);
        return Microbenchmarks.ortCeiling(model, new int[] {batch}, seconds, log).get(batch).perSecond();
    }

    @Override
    public void close() {
        model.close();
    }
}
