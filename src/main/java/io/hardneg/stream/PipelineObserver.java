package io.hardneg.stream;

import io.hardneg.error.ErrorCode;
import io.hardneg.mining.Triplet;
import java.util.List;

/**
 * What the pipeline tells metrics and the live page. Implementations must be cheap and must never throw into
 * processing.
 */
public interface PipelineObserver {

    PipelineObserver NONE = new PipelineObserver() { };

    default void accepted(boolean labeled) { }

    default void deadLettered(ErrorCode code) { }

    default void decoded(long nanos) { }

    default void batchEmbedded(int size, long inferenceNanos, String modelVersion, String device) { }

    /** One image embedded; {@code eventTimestamp} is the input record's timestamp. */
    default void embedded(long eventTimestamp) { }

    default void mined(List<Triplet> published, int rateLimited) { }

    /** A new model version is serving. */
    default void modelSwapped(io.hardneg.model.ModelInfo info, io.hardneg.model.Device device) { }

    /** A model update was refused; {@code reason} is a bounded tag (hash, signature, load, shape, probe, …). */
    default void modelRefused(String reason) { }

    /** Tells every observer in turn; one that throws is skipped so the others and the stream go on. */
    static PipelineObserver of(PipelineObserver... observers) {
        return new CompositeObserver(java.util.List.of(observers));
    }
}
