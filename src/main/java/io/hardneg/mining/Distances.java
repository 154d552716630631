package io.hardneg.mining;

/**
 * Squared L2 distances between unit-length embeddings, the FaceNet distance: d = |a-b|² = 2 − 2·a·b ∈ [0, 4].
 *
 * <p>One small interface so that a scalar and a SIMD kernel can be swapped and proven to agree.
 */
public interface Distances {

    /**
     * Fills {@code out[q * bankRows + b]} with the squared distance between query {@code q} (row
     * {@code q} of {@code queries}, {@code queryRows} rows) and bank row {@code b} (of {@code bankRows}).
     * Rows are {@code dim} floats, packed.
     */
    void squaredL2(float[] queries, int queryRows, float[] bank, int bankRows, int dim, float[] out);

    /** The best implementation for this JVM. */
    static Distances create() {
        return new ScalarDistances();
    }
}
