package io.hardneg.mining;

/**
 * Squared L2 distances between unit-length embeddings, the FaceNet distance: d = |a-b|² = 2 − 2·a·b ∈ [0, 4].
 *
 * <p>One small interface so that a scalar and a SIMD kernel can be swapped and proven to agree. Every
 * implementation computes each dot product with the same float arithmetic, in the same order — {@code s += q[i] *
 * b[i]} for {@code i = 0..dim-1}, then {@code max(0, 2 − 2s)} — so their results are bit-identical and the
 * miner's decisions never depend on which kernel ran.
 */
public interface Distances {

    /**
     * Fills {@code out[q * bankRows + b]} with the squared distance between query {@code q} (row
     * {@code q} of {@code queries}, {@code queryRows} rows) and bank row {@code b} (of {@code bankRows}).
     * Rows are {@code dim} floats, packed.
     */
    void squaredL2(float[] queries, int queryRows, float[] bank, int bankRows, int dim, float[] out);

    /** A short name for logs and the bench: {@code scalar} or {@code vector-512} etc. */
    default String name() {
        return getClass().getSimpleName();
    }

    /** The best implementation for this JVM, chosen once (see {@link DistancesProvider}). */
    static Distances create() {
        return DistancesProvider.best();
    }

    /** The plain-Java kernel, whatever the JVM offers. */
    static Distances scalar() {
        return new ScalarDistances();
    }
}
