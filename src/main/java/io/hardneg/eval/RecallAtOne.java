package io.hardneg.eval;

import io.hardneg.mining.Distances;
import java.util.function.IntPredicate;
import java.util.stream.IntStream;

/**
 * Recall@1 by nearest neighbour (squared L2), each query excluded from its own gallery.
 *
 * <p>Queries are processed in blocks on all cores; each block's distance rows are scanned for the minimum.
 */
public final class RecallAtOne {

    private static final int BLOCK = 64;

    private final Distances distances;

    public RecallAtOne(Distances distances) {
        this.distances = distances;
    }

    /**
     * Share of queries whose nearest gallery item (excluding itself) has the same label.
     *
     * @param embeddings {@code n * dim} unit vectors
     * @param isQuery which items are queries
     * @param inGallery which items may be returned as neighbours
     */
    public double recall(float[] embeddings, int[] labels, int dim, IntPredicate isQuery, IntPredicate inGallery) {
        int n = labels.length;
        int[] galleryIdx = IntStream.range(0, n).filter(inGallery).toArray();
        float[] gallery = new float[galleryIdx.length * dim];
        for (int g = 0; g < galleryIdx.length; g++) {
            System.arraycopy(embeddings, galleryIdx[g] * dim, gallery, g * dim, dim);
        }
        int[] queryIdx = IntStream.range(0, n).filter(isQuery).toArray();
        if (queryIdx.length == 0) {
            return Double.NaN;
        }
        int blocks = (queryIdx.length + BLOCK - 1) / BLOCK;
        long hits = IntStream.range(0, blocks).parallel().mapToLong(blk -> {
            int from = blk * BLOCK;
            int rows = Math.min(BLOCK, queryIdx.length - from);
            float[] q = new float[rows * dim];
            for (int r = 0; r < rows; r++) {
                System.arraycopy(embeddings, queryIdx[from + r] * dim, q, r * dim, dim);
            }
            float[] d = new float[rows * galleryIdx.length];
            distances.squaredL2(q, rows, gallery, galleryIdx.length, dim, d);
            long h = 0;
            for (int r = 0; r < rows; r++) {
                int self = queryIdx[from + r];
                int best = -1;
                float bestD = Float.POSITIVE_INFINITY;
                int base = r * galleryIdx.length;
                for (int g = 0; g < galleryIdx.length; g++) {
                    if (galleryIdx[g] != self && d[base + g] < bestD) {
                        bestD = d[base + g];
                        best = galleryIdx[g];
                    }
                }
                if (best >= 0 && labels[best] == labels[self]) {
                    h++;
                }
            }
            return h;
        }).sum();
        return (double) hits / queryIdx.length;
    }
}
