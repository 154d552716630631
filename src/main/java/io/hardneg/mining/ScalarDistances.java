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
                out[q * bankRows + b] = distance(s0);
                out[(q + 1) * bankRows + b] = distance(s1);
                out[(q + 2) * bankRows + b] = distance(s2);
                out[(q + 3) * bankRows + b] = distance(s3);
            }
        }
        for (; q < queryRows; q++) {
            int qo = q * dim;
            for (int b = 0; b < bankRows; b++) {
                int bo = b * dim;
                float s = 0;
                for (int i = 0; i < dim; i++) {
                    s += queries[qo + i] * bank[bo + i];
                }
                out[q * bankRows + b] = distance(s);
            }
        }
    }

    static float distance(float dot) {
        // Rounding can push 2 - 2·dot just below 0 for identical vectors; distances are never negative.
        return Math.max(0f, 2f - 2f * dot);
    }
}
