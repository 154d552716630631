package io.hardneg.mining;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DuplicateFiltersTest {

    private static final byte[] A = {1, 2, 3};
    private static final byte[] B = {4, 5, 6};
    private static final byte[] C = {7, 8, 9};

    @Test
    void shouldFlagTheSameContentUnderAnotherIdButNotAReplayOfTheSameId() {
        DuplicateFilter f = new DuplicateFilter(10);
        assertThat(f.isDuplicate("x", A)).isFalse();
        assertThat(f.isDuplicate("x", A)).as("same id again: a replay").isFalse();
        assertThat(f.isDuplicate("y", A)).as("same bytes, other id").isTrue();
        assertThat(f.isDuplicate("z", B)).isFalse();
    }

    @Test
    void shouldForgetContentBeyondTheWindow() {
        DuplicateFilter f = new DuplicateFilter(2);
        f.isDuplicate("a", A);
        f.isDuplicate("b", B);
        assertThat(f.isDuplicate("a2", A)).as("still within a window of 2").isTrue();
        f.isDuplicate("c", C); // evicts the least recently seen: B
        assertThat(f.size()).isEqualTo(2);
        assertThat(f.isDuplicate("b2", B)).as("B left the window").isFalse();
        assertThat(new DuplicateFilter(0).isDuplicate("q", A)).as("window 0 = off").isFalse();
    }

    @Test
    void shouldSkipANegativeWithinEpsilonInclusiveAndAdmitOneJustBeyond() {
        NearDuplicateFilter f = new NearDuplicateFilter(0.25f, 4, 100);
        f.published("shirt", "a1", "n1", new float[] {0f, 0f});
        assertThat(f.isNearDuplicate("shirt", "a2", "n2", new float[] {0.5f, 0f})).as("d = 0.25 = eps").isTrue();
        assertThat(f.isNearDuplicate("shirt", "a2", "n2", new float[] {0.51f, 0f})).as("d = 0.2601 > eps").isFalse();
        assertThat(f.isNearDuplicate("coat", "a2", "n2", new float[] {0f, 0f})).as("another anchor label").isFalse();
        assertThat(f.isNearDuplicate("shirt", "a1", "n1", new float[] {0f, 0f})).as("its own replay").isFalse();
        assertThat(f.isNearDuplicate("shirt", "a9", "n9", null)).as("left the bank: cannot judge").isFalse();
    }

    @Test
    void shouldRememberOnlyTheLastWindowNegativesPerLabel() {
        NearDuplicateFilter f = new NearDuplicateFilter(0.01f, 2, 100);
        f.published("shirt", "a", "n0", new float[] {0f, 0f});
        f.published("shirt", "a", "n1", new float[] {1f, 0f});
        f.published("shirt", "a", "n2", new float[] {2f, 0f});
        assertThat(f.isNearDuplicate("shirt", "b", "m", new float[] {0f, 0f})).as("n0 pushed out").isFalse();
        assertThat(f.isNearDuplicate("shirt", "b", "m", new float[] {2f, 0f})).isTrue();
        assertThat(new NearDuplicateFilter(0f, 2, 100).enabled()).as("epsilon 0 = off").isFalse();
    }

    @Test
    void shouldDecideAsTheFullSumDoesWhateverTheDimension() {
        // The filter stops summing a row once it is past ε; the decision must be the full sum's, for any dim
        // (blocks of 8 and a ragged tail) and for rows just inside and just outside ε.
        java.util.Random rnd = new java.util.Random(7);
        int near = 0;
        int far = 0;
        for (int dim : new int[] {1, 7, 8, 13, 64, 70}) {
            float eps = 0.01f;
            NearDuplicateFilter f = new NearDuplicateFilter(eps, 32, 10);
            float[][] kept = new float[32][];
            for (int i = 0; i < 32; i++) {
                kept[i] = randomUnit(rnd, dim);
                f.published("shirt", "a" + i, "n" + i, kept[i]);
            }
            for (int t = 0; t < 400; t++) {
                float[] base = kept[rnd.nextInt(32)];
                float[] q = base.clone();
                // Some queries far, some nudged to land around ε from a kept row.
                double scale = t % 4 == 0 ? 1.0 : Math.sqrt(eps / dim) * (0.5 + rnd.nextDouble());
                for (int k = 0; k < dim; k++) {
                    q[k] += (float) (rnd.nextGaussian() * scale);
                }
                boolean expected = false;
                for (float[] row : kept) {
                    float sum = 0f;
                    for (int k = 0; k < dim; k++) {
                        float x = row[k] - q[k];
                        sum += x * x;
                    }
                    expected |= sum <= eps;
                }
                near += expected ? 1 : 0;
                far += expected ? 0 : 1;
                assertThat(f.isNearDuplicate("shirt", "q", "m" + t, q)).as("dim %d query %d", dim, t)
                        .isEqualTo(expected);
            }
        }
        assertThat(near).as("queries within ε").isGreaterThan(200);
        assertThat(far).as("queries beyond ε").isGreaterThan(200);
    }

    private static float[] randomUnit(java.util.Random rnd, int dim) {
        float[] v = new float[dim];
        double n = 0;
        for (int k = 0; k < dim; k++) {
            v[k] = (float) rnd.nextGaussian();
            n += v[k] * v[k];
        }
        for (int k = 0; k < dim; k++) {
            v[k] /= (float) Math.sqrt(n);
        }
        return v;
    }
}
