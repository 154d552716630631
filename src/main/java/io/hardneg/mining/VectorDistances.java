package io.hardneg.mining;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
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

    /** Per thread: transposed queries, the result tile, padded limits and padded tags. */
    private static final class Scratch {
        float[] qt = new float[0];
        final float[] tile = new float[CHUNK_ROWS * LANES];
        float[] limits = new float[0];
        float[] tags = new float[0];
    }

    private final ThreadLocal<Scratch> scratch = ThreadLocal.withInitial(Scratch::new);

    @Override
    public String name() {
        return "vector-" + SPECIES.vectorBitSize();
    }

    @Override
    public void squaredL2(float[] queries, int queryRows, float[] bank, int bankRows, int dim, float[] out) {
        gathered(queries, queryRows, bank, null, 0, bankRows, dim, out);
    }

    @Override
    public void squaredL2(float[] queries, int queryRows, float[] bank, int[] rows, int from, int count, int dim,
                          float[] out) {
        gathered(queries, queryRows, bank, rows, from, count, dim, out);
    }

    /** Transposes the queries into {@code s.qt}: {@code qt[k * padded + q] = queries[q * dim + k]}, zero padded. */
    private static int transpose(Scratch s, float[] queries, int queryRows, int dim) {
        int padded = (queryRows + LANES - 1) / LANES * LANES;
        if (s.qt.length < padded * dim) {
            s.qt = new float[padded * dim];
        }
        java.util.Arrays.fill(s.qt, 0, padded * dim, 0f);
        for (int q = 0; q < queryRows; q++) {
            for (int k = 0; k < dim; k++) {
                s.qt[k * padded + q] = queries[q * dim + k];
            }
        }
        return padded;
    }

    private void gathered(float[] queries, int queryRows, float[] bank, int[] rowList, int from, int count, int dim,
                          float[] out) {
        if (queryRows == 0 || count == 0) {
            return;
        }
        Scratch s = scratch.get();
        int padded = transpose(s, queries, queryRows, dim);
        float[] qt = s.qt;
        // Results of one query block over one chunk, row-major by bank row: whole vectors are stored, and the
        // transpose into out's per-query rows writes each row sequentially (scattered 4-byte stores across
        // count-long rows were the kernel's bottleneck).
        float[] tile = s.tile;
        for (int c0 = 0; c0 < count; c0 += CHUNK_ROWS) {
            int c1 = Math.min(count, c0 + CHUNK_ROWS);
            for (int q0 = 0; q0 < queryRows; q0 += LANES) {
                int live = Math.min(LANES, queryRows - q0);
                int b = c0;
                for (; b + 4 <= c1; b += 4) {
                    int o0 = row(rowList, from, b) * dim;
                    int o1 = row(rowList, from, b + 1) * dim;
                    int o2 = row(rowList, from, b + 2) * dim;
                    int o3 = row(rowList, from, b + 3) * dim;
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
                    dot(qt, padded, q0, bank, row(rowList, from, b) * dim, dim).intoArray(tile, (b - c0) * LANES);
                }
                int rows = c1 - c0;
                for (int j = 0; j < live; j++) {
                    int base = (q0 + j) * count + c0;
                    for (int r = 0; r < rows; r++) {
                        out[base + r] = ScalarDistances.distance(tile[r * LANES + j]);
                    }
                }
            }
        }
    }

    private static int row(int[] rowList, int from, int b) {
        return rowList == null ? b : rowList[from + b];
    }

    private static FloatVector dot(float[] qt, int padded, int q0, float[] bank, int o, int dim) {
        FloatVector a = FloatVector.zero(SPECIES);
        for (int k = 0; k < dim; k++) {
            a = a.add(FloatVector.fromArray(SPECIES, qt, k * padded + q0).mul(bank[o + k]));
        }
        return a;
    }

    @Override
    public void scanWithin(float[] queries, int queryRows, float[] bank, int bankRows, int dim, float[] limits,
                           int[] queryTags, int[] rowTags, Hits hits) {
        if (queryRows == 0 || bankRows == 0) {
            return;
        }
        Scratch s = scratch.get();
        int padded = transpose(s, queries, queryRows, dim);
        float[] qt = s.qt;
        float[] tile = s.tile;
        if (s.limits.length < padded) {
            s.limits = new float[padded];
            s.tags = new float[padded];
        }
        // Padding lanes get limit -1: no distance is below it, so they never hit. Tags compare as floats (exact
        // for ids below 2^24) so that one species serves both masks.
        float[] lim = s.limits;
        float[] tags = s.tags;
        java.util.Arrays.fill(lim, 0, padded, -1f);
        for (int q = 0; q < queryRows; q++) {
            lim[q] = limits[q];
            tags[q] = queryTags[q];
        }
        FloatVector two = FloatVector.broadcast(SPECIES, 2f);
        for (int c0 = 0; c0 < bankRows; c0 += CHUNK_ROWS) {
            int c1 = Math.min(bankRows, c0 + CHUNK_ROWS);
            for (int q0 = 0; q0 < queryRows; q0 += LANES) {
                int live = Math.min(LANES, queryRows - q0);
                FloatVector limit = FloatVector.fromArray(SPECIES, lim, q0);
                FloatVector tag = FloatVector.fromArray(SPECIES, tags, q0);
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
                    // e = 2 − 2·dot is the distance before its clamp at 0, and e ≤ max(0, e): testing e passes
                    // every lane the exact test would, and the exact distance is formed only for those.
                    VectorMask<Float> m = within(two, a0, limit, tag, rowTags[b])
                            .or(within(two, a1, limit, tag, rowTags[b + 1]))
                            .or(within(two, a2, limit, tag, rowTags[b + 2]))
                            .or(within(two, a3, limit, tag, rowTags[b + 3]));
                    if (m.anyTrue()) {
                        a0.intoArray(tile, 0);
                        a1.intoArray(tile, LANES);
                        a2.intoArray(tile, 2 * LANES);
                        a3.intoArray(tile, 3 * LANES);
                        for (int i = 0; i < 4; i++) {
                            report(tile, i * LANES, q0, live, b + i, rowTags[b + i], lim, tags, hits);
                        }
                        limit = FloatVector.fromArray(SPECIES, lim, q0);
                    }
                }
                for (; b < c1; b++) {
                    FloatVector a = dot(qt, padded, q0, bank, b * dim, dim);
                    if (within(two, a, limit, tag, rowTags[b]).anyTrue()) {
                        a.intoArray(tile, 0);
                        report(tile, 0, q0, live, b, rowTags[b], lim, tags, hits);
                        limit = FloatVector.fromArray(SPECIES, lim, q0);
                    }
                }
            }
        }
    }

    private static VectorMask<Float> within(FloatVector two, FloatVector dot, FloatVector limit, FloatVector tag,
                                            int rowTag) {
        return two.sub(dot.mul(2f)).compare(VectorOperators.LE, limit)
                .and(tag.compare(VectorOperators.NE, (float) rowTag));
    }

    /** The exact per-lane test and the callback, for one bank row whose dot products are at {@code tile[t..]}. */
    private static void report(float[] tile, int t, int q0, int live, int row, int rowTag, float[] lim, float[] tags,
                               Hits hits) {
        for (int j = 0; j < live; j++) {
            int q = q0 + j;
            if (tags[q] == (float) rowTag) {
                continue;
            }
            float d = ScalarDistances.distance(tile[t + j]);
            if (d <= lim[q]) {
                lim[q] = hits.near(q, row, d);
            }
        }
    }
}
