package io.hardneg.stream;

import io.hardneg.error.ErrorCode;
import io.hardneg.mining.LabelBudget;
import io.hardneg.mining.Triplet;
import io.hardneg.model.Device;
import io.hardneg.model.ModelInfo;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Fans pipeline events out to several observers; instrumentation never throws into processing. */
final class CompositeObserver implements PipelineObserver {

    private static final Logger LOG = LoggerFactory.getLogger(CompositeObserver.class);

    private final List<PipelineObserver> observers;

    CompositeObserver(List<PipelineObserver> observers) {
        this.observers = List.copyOf(observers);
    }

    private void each(Consumer<PipelineObserver> event) {
        for (PipelineObserver o : observers) {
            try {
                event.accept(o);
            } catch (RuntimeException e) {
                LOG.debug("observer {} failed: {}", o.getClass().getSimpleName(), e.toString());
            }
        }
    }

    @Override
    public void accepted(boolean labeled) {
        each(o -> o.accepted(labeled));
    }

    @Override
    public void deadLettered(ErrorCode code) {
        each(o -> o.deadLettered(code));
    }

    @Override
    public void decoded(long nanos) {
        each(o -> o.decoded(nanos));
    }

    @Override
    public void batchEmbedded(int size, long inferenceNanos, String modelVersion, String device) {
        each(o -> o.batchEmbedded(size, inferenceNanos, modelVersion, device));
    }

    @Override
    public void embedded(long eventTimestamp) {
        each(o -> o.embedded(eventTimestamp));
    }

    @Override
    public void batchMined(int anchors, long nanos) {
        each(o -> o.batchMined(anchors, nanos));
    }

    @Override
    public void mined(List<Triplet> published, int rateLimited) {
        each(o -> o.mined(published, rateLimited));
    }

    @Override
    public void anchorBudget(Map<String, LabelBudget.Entry> budget) {
        each(o -> o.anchorBudget(budget));
    }

    @Override
    public void suspected(String givenLabel, String suggestedLabel) {
        each(o -> o.suspected(givenLabel, suggestedLabel));
    }

    @Override
    public void duplicateSkipped() {
        each(PipelineObserver::duplicateSkipped);
    }

    @Override
    public void nearDuplicateSkipped() {
        each(PipelineObserver::nearDuplicateSkipped);
    }

    @Override
    public void throttled(String reason) {
        each(o -> o.throttled(reason));
    }

    @Override
    public void backpressure(long lag, double factor) {
        each(o -> o.backpressure(lag, factor));
    }

    @Override
    public void modelSwapped(ModelInfo info, Device device) {
        each(o -> o.modelSwapped(info, device));
    }

    @Override
    public void modelRefused(String reason) {
        each(o -> o.modelRefused(reason));
    }
}
