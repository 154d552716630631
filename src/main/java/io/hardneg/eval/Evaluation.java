package io.hardneg.eval;

import ai.onnxruntime.OrtException;
import io.hardneg.data.LabeledImages;
import io.hardneg.error.InvalidInputException;
import io.hardneg.mining.Distances;
import io.hardneg.model.EmbeddingModel;
import java.util.Set;
import java.util.function.IntConsumer;
import java.util.stream.Collectors;

/**
 * Recall@1 under the protocols of the training script: {@code seen} = seen-class queries against seen-class
 * gallery; {@code held_out} = held-out-class queries against the full gallery; {@code all} = everything.
 */
public final class Evaluation {

    private Evaluation() {
    }

    public static RecallReport run(EmbeddingModel model, LabeledImages split, IntConsumer progress)
            throws OrtException, InvalidInputException {
        float[] emb = new SplitEmbedder(model, 256).embed(split, progress);
        Set<Integer> heldOut = model.info().heldOutClasses().stream().map(Integer::valueOf).collect(Collectors.toSet());
        int[] labels = split.labels();
        int dim = model.info().embeddingDim();
        RecallAtOne r = new RecallAtOne(Distances.create());
        double seen = r.recall(emb, labels, dim, i -> !heldOut.contains(labels[i]), i -> !heldOut.contains(labels[i]));
        double held = r.recall(emb, labels, dim, i -> heldOut.contains(labels[i]), i -> true);
        double all = r.recall(emb, labels, dim, i -> true, i -> true);
        return new RecallReport(model.info().version(), split.count(), seen, held, all);
    }
}
