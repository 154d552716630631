package io.hardneg.stream;

import ai.onnxruntime.OrtException;
import io.hardneg.error.ErrorCode;
import io.hardneg.error.InvalidInputException;
import io.hardneg.image.InputSpec;
import io.hardneg.model.EmbeddingModel;
import java.nio.FloatBuffer;
import org.apache.kafka.streams.processor.TaskId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A batch's run through the model, into buffers kept for the serving model's shapes: a failure is retried once,
 * then each image alone, so one image that breaks the model is dead-lettered ({@code INFERENCE_FAILED}) and its
 * neighbours still go through.
 */
final class BatchInference {

    private static final Logger LOG = LoggerFactory.getLogger(BatchInference.class);

    private final int batchMax;
    private final PipelineObserver observer;
    private final TaskId task;

    private InputSpec spec;
    private int dim;
    private FloatBuffer input;
    private FloatBuffer output;
    private FloatBuffer singleInput;
    private FloatBuffer singleOutput;

    BatchInference(int batchMax, PipelineObserver observer, TaskId task) {
        this.batchMax = batchMax;
        this.observer = observer;
        this.task = task;
    }

    /** Sizes the buffers for {@code model}, reallocating only when its input shape or embedding size changed. */
    void ensureBuffers(EmbeddingModel model) {
        InputSpec s = model.info().inputSpec();
        int d = model.info().embeddingDim();
        if (s.equals(spec) && d == dim && input != null) {
            return;
        }
        input = model.allocateInput(batchMax);
        output = model.allocateOutput(batchMax);
        singleInput = model.allocateInput(1);
        singleOutput = model.allocateOutput(1);
        spec = s;
        dim = d;
    }

    /** The model's input shape the buffers are sized for. */
    InputSpec spec() {
        return spec;
    }

    /** The embedding size the buffers are sized for. */
    int dim() {
        return dim;
    }

    /** Where the decoder writes a batch's images, one after the other. */
    FloatBuffer input() {
        return input;
    }

    /** Where the batch's embeddings are, image {@code i} at {@code i * dim()}. */
    FloatBuffer output() {
        return output;
    }

    /**
     * Embeds the first {@code n} images of the input buffer; the answer marks the images the model failed on, whose
     * output slots hold nothing.
     */
    boolean[] embed(EmbeddingModel model, int n) {
        boolean[] failed = new boolean[n];
        long t0 = System.nanoTime();
        OrtException last = null;
        for (int attempt = 0; attempt < 2; attempt++) {
            try {
                model.embed(input, output, n);
                observer.batchEmbedded(n, System.nanoTime() - t0, model.info().version(), model.device().name());
                return failed;
            } catch (OrtException | RuntimeException e) {
                last = e instanceof OrtException oe ? oe : new OrtException(e.toString());
                LOG.warn("task {}: inference of a batch of {} failed (attempt {}): {}", task, n,
                        attempt + 1, e.getMessage());
            }
        }
        int size = spec.size();
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < size; k++) {
                singleInput.put(k, input.get(i * size + k));
            }
            try {
                model.embed(singleInput, singleOutput, 1);
                for (int k = 0; k < dim; k++) {
                    output.put(i * dim + k, singleOutput.get(k));
                }
            } catch (OrtException | RuntimeException e) {
                failed[i] = true;
                last = e instanceof OrtException oe ? oe : new OrtException(e.toString());
            }
        }
        LOG.warn("task {}: batch of {} retried image by image; last error: {}", task, n,
                last == null ? "none" : last.getMessage());
        return failed;
    }

    /** Why an image {@link #embed} marked failed goes to the dead-letter topic. */
    static InvalidInputException failure(EmbeddingModel model) {
        return new InvalidInputException(ErrorCode.INFERENCE_FAILED, "model " + model.info().name()
                + " v" + model.info().version() + " failed on this image twice");
    }
}
