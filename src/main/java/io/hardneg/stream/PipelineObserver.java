package io.hardneg.stream;

import io.hardneg.error.ErrorCode;
import io.hardneg.mining.GuardEvents;
import io.hardneg.mining.LabelBudget;
import io.hardneg.mining.Triplet;
import java.util.List;
import java.util.Map;

/**
 * What the pipeline tells metrics and the live page. Implementations must be cheap and must never throw into
 * processing. The guards' events ({@link GuardEvents}) are among them.
 */
public interface PipelineObserver extends GuardEvents {

    PipelineObserver NONE = new PipelineObserver() { };

    default void accepted(boolean labeled) { }

    default void deadLettered(ErrorCode code) { }

    default void decoded(long nanos) { }

    default void batchEmbedded(int size, long inferenceNanos, String modelVersion, String device) { }

    /** One image embedded; {@code eventTimestamp} is the input record's timestamp. */
    default void embedded(long eventTimestamp) { }

    /** One batch's {@code anchors} mined and judged for mislabels against the bank, in one pass. */
    default void batchMined(int anchors, long nanos) { }

    default void mined(List<Triplet> published, int rateLimited) { }

    /** The anchor budget was computed again from the bank: each label's purity, confusion and anchor probability. */
    default void anchorBudget(Map<String, LabelBudget.Entry> budget) { }

    /** An anchor was routed to {@code suspect-labels} instead of being mined. */
    default void suspected(String givenLabel, String suggestedLabel) { }

    /** The retraining topic's consumer lag was measured and the publish factor set from it. */
    default void backpressure(long lag, double factor) { }

    /** A new model version is serving. */
    default void modelSwapped(io.hardneg.model.ModelInfo info, io.hardneg.model.Device device) { }

    /** A model update was refused; {@code reason} is a bounded tag (hash, signature, load, shape, probe, …). */
    default void modelRefused(String reason) { }

    /** Tells every observer in turn; one that throws is skipped so the others and the stream go on. */
    static PipelineObserver of(PipelineObserver... observers) {
        return new CompositeObserver(java.util.List.of(observers));
    }
}
