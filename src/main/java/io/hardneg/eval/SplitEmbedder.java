package io.hardneg.eval;

import ai.onnxruntime.OrtException;
import io.hardneg.data.LabeledImages;
import io.hardneg.data.PngEncoder;
import io.hardneg.error.InvalidInputException;
import io.hardneg.image.DecodeLimits;
import io.hardneg.image.ImageDecoder;
import io.hardneg.model.EmbeddingModel;
import java.nio.FloatBuffer;
import java.util.function.IntConsumer;

/**
 * Embeds a whole image set the way the service does: each image as PNG bytes through the
 * {@link ImageDecoder}, then batched inference.
 */
public final class SplitEmbedder {

    private final EmbeddingModel model;
    private final ImageDecoder decoder;
    private final int batch;

    public SplitEmbedder(EmbeddingModel model, int batch) {
        this.model = model;
        this.decoder = new ImageDecoder(model.info().inputSpec(), DecodeLimits.defaults());
        this.batch = batch;
    }

    /** Returns {@code count * dim} floats; {@code progress} is told how many images are done. */
    public float[] embed(LabeledImages images, IntConsumer progress) throws OrtException, InvalidInputException {
        int dim = model.info().embeddingDim();
        int size = model.info().inputSpec().size();
        float[] out = new float[images.count() * dim];
        FloatBuffer in = model.allocateInput(batch);
        FloatBuffer emb = model.allocateOutput(batch);
        for (int start = 0; start < images.count(); start += batch) {
            int n = Math.min(batch, images.count() - start);
            for (int i = 0; i < n; i++) {
                byte[] png = PngEncoder.gray(images.image(start + i), images.height(), images.width());
                decoder.decodeInto(png, in, i * size);
            }
            model.embed(in, emb, n);
            emb.get(0, out, start * dim, n * dim);
            progress.accept(start + n);
        }
        return out;
    }
}
