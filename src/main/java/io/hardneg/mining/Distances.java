package io.hardneg.mining;

/**
 * Squared L2 distances between unit-length embeddings, the FaceNet distance: d = |a-b|² = 2 − 2·a·b ∈ [0, 4].
 *
 * <p>One small interface so that a scalar and a SIMD kernel can be swapped and proven to agree. Every
 * implementation computes each dot product with the same float arithmetic, in the same order — {@code s =
 * fma(q[i], b[i], s)} (one rounding per step, as {@link Math#fma}) for {@code i = 0..dim-1}, then
 * {@code max(0, 2 − 2s)} — so their results are bit-identical on every machine and the miner's decisions never
 * depend on which kernel ran.
 */
public interface Distances {

    /**
     * Fills {@code out[q * bankRows + b]} with the squared distance between query {@code q} (row
     * {@code q} of {@code queries}, {@code queryRows} rows) and bank row {@code b} (of {@code bankRows}).
     * Rows are {@code dim} floats, packed.
     */
    void squaredL2(float[] queries, int queryRows, float[] bank, int bankRows, int dim, float[] out);

    /**
     * The same distances to the bank rows listed in {@code rows[from .. from + count)}: {@code out[q * count + j]}
     * is the distance between query {@code q} and bank row {@code rows[from + j]}.
     */
    void squaredL2(float[] queries, int queryRows, float[] bank, int[] rows, int from, int count, int dim,
                   float[] out);

    /**
     * Calls {@code hits} for every pair of query {@code q} and bank row {@code b < bankRows} with
     * {@code rowTags[b] != queryTags[q]} and distance at most the query's limit, in no particular order. The limits
     * start as {@code limits[q]} (not modified) and each call returns the query's limit from then on, which must not
     * be larger: a miner's bound tightens as it finds candidates, so nearly every row costs one comparison and
     * no distance matrix is ever written.
     */
    void scanWithin(float[] queries, int queryRows, float[] bank, int bankRows, int dim, float[] limits,
                    int[] queryTags, int[] rowTags, Hits hits);

    /** Receives the pairs {@link #scanWithin} finds. */
    @FunctionalInterface
    interface Hits {
        /** A pair within the query's limit; returns the query's new limit. */
        float near(int query, int row, float distance);
    }

    /** A short name for logs and the bench: {@code scalar} or {@code vector-512} etc. */
    default String name() {
        return getClass().getSimpleName();
    }

    /** The best implementation for this JVM, chosen once (see {@link DistancesProvider}). */
    static Distances create() {
        return DistancesProvider.best();
    }

    /**
     * The name of the kernel {@link #create()} gives in this JVM, without warming it up: cheap enough for
     * {@code --version}, which shows whether a plain {@code java -jar} got the fast path.
     */
    static String bestName() {
        return DistancesProvider.candidate().name();
    }

    /** The plain-Java kernel, whatever the JVM offers. */
    static Distances scalar() {
        return new ScalarDistances();
    }
}
