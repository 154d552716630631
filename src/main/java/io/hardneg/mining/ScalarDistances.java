package io.hardneg.mining;

/**
 * Plain-Java distance kernel, blocked four queries at a time so that each bank row is read once per block.
 */
final class ScalarDistances implements Distances {

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
            for (int b = 0; b < count; b++) {
                int bo = (rows == null ? b : rows[from + b]) * dim;
                float s0 = 0;
                float s1 = 0;
                float s2 = 0;
                float s3 = 0;
                for (int i = 0; i < dim; i++) {
                    float v = bank[bo + i];
                    s0 += queries[q0 + i] * v;
                    s1 += queries[q1 + i] * v;
                    s2 += queries[q2 + i] * v;
                    s3 += queries[q3 + i] * v;
                }
                out[q * count + b] = distance(s0);
                out[(q + 1) * count + b] = distance(s1);
                out[(q + 2) * count + b] = distance(s2);
                out[(q + 3) * count + b] = distance(s3);
            }
        }
        for (; q < queryRows; q++) {
            int qo = q * dim;
            for (int b = 0; b < count; b++) {
                out[q * count + b] = distance(dot(queries, qo, bank, (rows == null ? b : rows[from + b]) * dim, dim));
            }
        }
    }

    @Override
    public void scanWithin(float[] queries, int queryRows, float[] bank, int bankRows, int dim, float[] limits,
                           int[] queryTags, int[] rowTags, Hits hits) {
        float[] limit = java.util.Arrays.copyOf(limits, queryRows);
        // Four queries per pass over the bank, as in squaredL2: each bank value is loaded once for four products.
        int q = 0;
        for (; q + 4 <= queryRows; q += 4) {
            int q0 = q * dim;
            int q1 = q0 + dim;
            int q2 = q1 + dim;
            int q3 = q2 + dim;
            for (int b = 0; b < bankRows; b++) {
                int bo = b * dim;
                float s0 = 0;
                float s1 = 0;
                float s2 = 0;
                float s3 = 0;
                for (int i = 0; i < dim; i++) {
                    float v = bank[bo + i];
                    s0 += queries[q0 + i] * v;
                    s1 += queries[q1 + i] * v;
                    s2 += queries[q2 + i] * v;
                    s3 += queries[q3 + i] * v;
                }
                int tag = rowTags[b];
                offer(q, b, s0, tag, queryTags, limit, hits);
                offer(q + 1, b, s1, tag, queryTags, limit, hits);
                offer(q + 2, b, s2, tag, queryTags, limit, hits);
                offer(q + 3, b, s3, tag, queryTags, limit, hits);
            }
        }
        for (; q < queryRows; q++) {
            for (int b = 0; b < bankRows; b++) {
                offer(q, b, dot(queries, q * dim, bank, b * dim, dim), rowTags[b], queryTags, limit, hits);
            }
        }
    }

    private static void offer(int q, int row, float dot, int rowTag, int[] queryTags, float[] limit, Hits hits) {
        if (queryTags[q] != rowTag) {
            float d = distance(dot);
            if (d <= limit[q]) {
                limit[q] = hits.near(q, row, d);
            }
        }
    }

    private static float dot(float[] a, int ao, float[] b, int bo, int dim) {
        float s = 0;
        for (int i = 0; i < dim; i++) {
            s += a[ao + i] * b[bo + i];
        }
        return s;
    }

    static float distance(float dot) {
        // Rounding can push 2 - 2·dot just below 0 for identical vectors; distances are never negative.
        return Math.max(0f, 2f - 2f * dot);
    }
}
