package io.hardneg.mining;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API kernel: lanes run over queries, not over dimensions, so each lane accumulates one dot product
 * in the scalar kernel's order ({@code s += q[i] * b[i]}, i ascending, no fused multiply-add) and the results are
 * bit-identical to {@link ScalarDistances} on any vector width. Four bank rows are in flight per pass (independent
 * dependency chains), and the bank is walked in chunks that stay in L2 while every query block passes over them.
 *
 * <p>Loaded reflectively by {@link DistancesProvider} only when {@code jdk.incubator.vector} is readable.
 */
final class VectorDistances implements Distances {

    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = SPECIES.length();
    /** Bank rows per chunk: 1024 rows × 64 floats = 256 KiB, an L2's worth. */
    private static final int CHUNK_ROWS = 1024;

    private final ThreadLocal<float[][]> scratch = ThreadLocal.withInitial(() -> new float[][] {new float[0],
            new float[CHUNK_ROWS * LANES]});

    @Override
    public String name() {
        return "vector-" + SPECIES.vectorBitSize();
    }

    @Override
    public void squaredL2(float[] queries, int queryRows, float[] bank, int bankRows, int dim, float[] out) {
        if (queryRows == 0 || bankRows == 0) {
            return;
        }
        int blocks = (queryRows + LANES - 1) / LANES;
        int padded = blocks * LANES;
        float[][] s = scratch.get();
        if (s[0].length < padded * dim) {
            s[0] = new float[padded * dim];
        }
        float[] qt = s[0];
        // Results of one query block over one chunk, row-major by bank row: whole vectors are stored, and the
        // transpose into out's per-query rows writes each row sequentially (scattered 4-byte stores across
        // bankRows-long rows were the kernel's bottleneck).
        float[] tile = s[1];
        // Transpose the queries: qt[k * padded + q] = queries[q * dim + k]; padding lanes are zero and discarded.
        java.util.Arrays.fill(qt, 0, padded * dim, 0f);
        for (int q = 0; q < queryRows; q++) {
            for (int k = 0; k < dim; k++) {
                qt[k * padded + q] = queries[q * dim + k];
            }
        }
        for (int c0 = 0; c0 < bankRows; c0 += CHUNK_ROWS) {
            int c1 = Math.min(bankRows, c0 + CHUNK_ROWS);
            for (int blk = 0; blk < blocks; blk++) {
                int q0 = blk * LANES;
                int live = Math.min(LANES, queryRows - q0);
                int b = c0;
                for (; b + 4 <= c1; b += 4) {
                    int o0 = b * dim;
                    int o1 = o0 + dim;
                    int o2 = o1 + dim;
                    int o3 = o2 + dim;
                    FloatVector a0 = FloatVector.zero(SPECIES);
                    FloatVector a1 = a0;
                    FloatVector a2 = a0;
                    FloatVector a3 = a0;
                    for (int k = 0; k < dim; k++) {
                        FloatVector qv = FloatVector.fromArray(SPECIES, qt, k * padded + q0);
                        a0 = a0.add(qv.mul(bank[o0 + k]));
                        a1 = a1.add(qv.mul(bank[o1 + k]));
                        a2 = a2.add(qv.mul(bank[o2 + k]));
                        a3 = a3.add(qv.mul(bank[o3 + k]));
                    }
                    int t = (b - c0) * LANES;
                    a0.intoArray(tile, t);
                    a1.intoArray(tile, t + LANES);
                    a2.intoArray(tile, t + 2 * LANES);
                    a3.intoArray(tile, t + 3 * LANES);
                }
                for (; b < c1; b++) {
                    int o = b * dim;
                    FloatVector a = FloatVector.zero(SPECIES);
                    for (int k = 0; k < dim; k++) {
                        a = a.add(FloatVector.fromArray(SPECIES, qt, k * padded + q0).mul(bank[o + k]));
                    }
                    a.intoArray(tile, (b - c0) * LANES);
                }
                int rows = c1 - c0;
                for (int j = 0; j < live; j++) {
                    int base = (q0 + j) * bankRows + c0;
                    for (int r = 0; r < rows; r++) {
                        out[base + r] = ScalarDistances.distance(tile[r * LANES + j]);
                    }
                }
            }
        }
    }
}
