package io.hardneg.eval;

import static org.assertj.core.api.Assertions.assertThat;

import io.hardneg.mining.Distances;
import org.junit.jupiter.api.Test;

class RecallAtOneTest {

    private final RecallAtOne recall = new RecallAtOne(Distances.create());

    /** Four unit vectors at 0°, 10°, 90° and 100°: 0↔1 and 2↔3 are each other's nearest neighbours. */
    private static final float[] FOUR = unitCircle(0, 10, 90, 100);

    @Test
    void shouldCountHalfWhenOnlyOnePairOfNeighboursSharesALabel() {
        // Given 0 and 1 share label 0, while 2 and 3 have different labels
        int[] labels = {0, 0, 1, 2};

        double r = recall.recall(FOUR, labels, 2, i -> true, i -> true);

        // Then 0 and 1 hit, 2 and 3 miss
        assertThat(r).isEqualTo(0.5);
    }

    @Test
    void shouldNeverMatchAQueryWithItself() {
        // Given every point has its own label: if a point could find itself, recall would be 1
        int[] labels = {0, 1, 2, 3};

        assertThat(recall.recall(FOUR, labels, 2, i -> true, i -> true)).isZero();
    }

    @Test
    void shouldOnlyReturnNeighboursFromTheGallery() {
        // Given labels where the nearest neighbours always disagree but the second-nearest agree
        int[] labels = {0, 1, 0, 1};

        // When point 1 and 2 are not in the gallery, 0 must use 3 (label 1) and 3 must use 0 (label 0)
        double restricted = recall.recall(FOUR, labels, 2, i -> i == 0 || i == 3, i -> i == 0 || i == 3);
        // And with only 2 out of the gallery, query 3's nearest is 1 (label 1: hit)
        double withoutTwo = recall.recall(FOUR, labels, 2, i -> i == 3, i -> i != 2);
        double full = recall.recall(FOUR, labels, 2, i -> i == 3, i -> true);

        assertThat(restricted).isZero();
        assertThat(withoutTwo).isEqualTo(1.0);
        assertThat(full).isZero();
    }

    @Test
    void shouldReportNaNWithoutQueries() {
        assertThat(recall.recall(FOUR, new int[] {0, 0, 1, 1}, 2, i -> false, i -> true)).isNaN();
    }

    @Test
    void shouldAgreeWithBruteForceOnMoreQueriesThanOneBlock() {
        // Given 300 points (several blocks of 64) on a circle with labels by sector
        int n = 300;
        float[] emb = new float[n * 2];
        int[] labels = new int[n];
        java.util.Random rnd = new java.util.Random(5);
        for (int i = 0; i < n; i++) {
            double a = rnd.nextDouble() * 2 * Math.PI;
            emb[2 * i] = (float) Math.cos(a);
            emb[2 * i + 1] = (float) Math.sin(a);
            labels[i] = (int) (a / (2 * Math.PI) * 7);
        }

        double r = recall.recall(emb, labels, 2, i -> i % 2 == 0, i -> true);

        int hits = 0;
        int queries = 0;
        for (int q = 0; q < n; q += 2) {
            queries++;
            int best = -1;
            double bestD = Double.POSITIVE_INFINITY;
            for (int g = 0; g < n; g++) {
                double dx = emb[2 * q] - emb[2 * g];
                double dy = emb[2 * q + 1] - emb[2 * g + 1];
                if (g != q && dx * dx + dy * dy < bestD) {
                    bestD = dx * dx + dy * dy;
                    best = g;
                }
            }
            hits += labels[best] == labels[q] ? 1 : 0;
        }
        assertThat(r).isEqualTo((double) hits / queries);
    }

    private static float[] unitCircle(double... degrees) {
        float[] v = new float[degrees.length * 2];
        for (int i = 0; i < degrees.length; i++) {
            v[2 * i] = (float) Math.cos(Math.toRadians(degrees[i]));
            v[2 * i + 1] = (float) Math.sin(Math.toRadians(degrees[i]));
        }
        return v;
    }
}
