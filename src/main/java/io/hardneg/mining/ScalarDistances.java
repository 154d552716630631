package io.hardneg.mining;

/**
 * Plain-Java distance kernel, blocked four queries × two bank rows at a time so that each row is read once per block.
 *
 * <p>{@link Math#fma} is exact by the language's definition, so lanes of the vector kernel's fused multiply-add
 * give the same bits; HotSpot compiles it to one instruction wherever the CPU has FMA (x86 since 2013, ARMv8).
 */
final class ScalarDistances implements Distances {

    /** Bank rows whose distances the bounded scan computes before testing them. */
    private static final int CHUNK_ROWS = 1024;

    /** Per thread: the scan's distances for one chunk. */
    private final ThreadLocal<float[]> tile = ThreadLocal.withInitial(() -> new float[0]);

    @Override
    public String name() {
        return "scalar";
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

    private static void gathered(float[] queries, int queryRows, float[] bank, int[] rows, int from, int count,
                                 int dim, float[] out) {
        int q = 0;
        for (; q + 4 <= queryRows; q += 4) {
            int q0 = q * dim;
            int q1 = q0 + dim;
            int q2 = q1 + dim;
            int q3 = q2 + dim;
            // Two rows at a time: eight independent sums keep both FMA units busy, where four wait on the
            // multiply-add's latency (the fused chain is longer than an add's). An odd last row is computed twice
            // and its copy not stored, so one loop serves every count.
            for (int b = 0; b < count; b += 2) {
                int bo = (rows == null ? from + b : rows[from + b]) * dim;
                int next = Math.min(b + 1, count - 1);
                int bp = (rows == null ? from + next : rows[from + next]) * dim;
                float s0 = 0;
                float s1 = 0;
                float s2 = 0;
                float s3 = 0;
                float t0 = 0;
                float t1 = 0;
                float t2 = 0;
                float t3 = 0;
                for (int i = 0; i < dim; i++) {
                    float v = bank[bo + i];
                    float w = bank[bp + i];
                    float x0 = queries[q0 + i];
                    float x1 = queries[q1 + i];
                    float x2 = queries[q2 + i];
                    float x3 = queries[q3 + i];
                    s0 = Math.fma(x0, v, s0);
                    s1 = Math.fma(x1, v, s1);
                    s2 = Math.fma(x2, v, s2);
                    s3 = Math.fma(x3, v, s3);
                    t0 = Math.fma(x0, w, t0);
                    t1 = Math.fma(x1, w, t1);
                    t2 = Math.fma(x2, w, t2);
                    t3 = Math.fma(x3, w, t3);
                }
                out[q * count + b] = distance(s0);
                out[(q + 1) * count + b] = distance(s1);
                out[(q + 2) * count + b] = distance(s2);
                out[(q + 3) * count + b] = distance(s3);
                if (next > b) {
                    out[q * count + next] = distance(t0);
                    out[(q + 1) * count + next] = distance(t1);
                    out[(q + 2) * count + next] = distance(t2);
                    out[(q + 3) * count + next] = distance(t3);
                }
            }
        }
        for (; q < queryRows; q++) {
            int qo = q * dim;
            for (int b = 0; b < count; b++) {
                int bo = (rows == null ? from + b : rows[from + b]) * dim;
                out[q * count + b] = distance(dot(queries, qo, bank, bo, dim));
            }
        }
    }

    @Override
    public void scanWithin(float[] queries, int queryRows, float[] bank, int bankRows, int dim, float[] limits,
                           int[] queryTags, int[] rowTags, Hits hits) {
        float[] limit = java.util.Arrays.copyOf(limits, queryRows);
        // As the vector kernel does: the distances of a chunk of rows first (the same blocked loop as squaredL2),
        // then the test; a query still meets its rows in ascending order, so its limit tightens as before.
        float[] d = tile(queryRows * CHUNK_ROWS);
        for (int c0 = 0; c0 < bankRows; c0 += CHUNK_ROWS) {
            int count = Math.min(CHUNK_ROWS, bankRows - c0);
            gathered(queries, queryRows, bank, null, c0, count, dim, d);
            for (int q = 0; q < queryRows; q++) {
                for (int j = 0; j < count; j++) {
                    float dist = d[q * count + j];
                    if (dist <= limit[q] && queryTags[q] != rowTags[c0 + j]) {
                        limit[q] = hits.near(q, c0 + j, dist);
                    }
                }
            }
        }
    }

    private float[] tile(int size) {
        float[] t = tile.get();
        if (t.length < size) {
            t = new float[size];
            tile.set(t);
        }
        return t;
    }

    private static float dot(float[] a, int ao, float[] b, int bo, int dim) {
        float s = 0;
        for (int i = 0; i < dim; i++) {
            s = Math.fma(a[ao + i], b[bo + i], s);
        }
        return s;
    }

    static float distance(float dot) {
        // Rounding can push 2 - 2·dot just below 0 for identical vectors; distances are never negative.
        return Math.max(0f, 2f - 2f * dot);
    }
}
