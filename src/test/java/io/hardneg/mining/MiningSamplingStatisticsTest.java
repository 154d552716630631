package io.hardneg.mining;

import static org.assertj.core.api.Assertions.assertThat;

import io.hardneg.config.MiningPolicy;
import io.hardneg.config.PositiveRule;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The drawn rules follow their densities: many anchors (each id its own draws) meet one fixed set of candidates,
 * and the frequencies of what they choose are compared with the rule's probabilities by Pearson's chi-square, at
 * the 0.1% critical value. The draws are a function of the ids, so each test is deterministic: it cannot flake;
 * it passes because the hash behaves like a uniform generator. Each test also computes the statistic against the
 * rule with a wrong parameter (β or D off by 2×) and asserts that it would fail: the tolerance is tight enough to
 * catch such a mistake.
 */
class MiningSamplingStatisticsTest {

    /** Pearson's chi-square critical values at p = 0.001, by degrees of freedom (1..12). */
    private static final double[] CHI2_999 = {0, 10.83, 13.82, 16.27, 18.47, 20.52, 22.46, 24.32, 26.12, 27.88,
            29.59, 31.26, 32.91};
    private static final int ANCHORS = 20_000;

    @Test
    void shouldDrawSoftNegativesInProportionToExpMinusBetaD() {
        // Given one positive (d = 1.5) and six negatives at known distances, all in the window (α = 4)
        double beta = 5;
        Scene scene = new Scene(4, 1.5f, new float[] {0.1f, 0.3f, 0.5f, 0.7f, 0.9f, 1.2f});
        MiningRules rules = new MiningRules(4f, MiningPolicy.ALL, 1, 1, PositiveRule.FARTHEST,
                new NegativeSampling.Soft(beta), Float.POSITIVE_INFINITY);

        // When 20,000 anchors draw one negative each
        long[] counts = scene.firstNegativeCounts(rules);

        // Then the frequencies follow exp(−βd), and would refute β/2 and 2β
        assertThat(chiSquare(counts, scene.softProbabilities(beta))).isLessThan(CHI2_999[5]);
        assertThat(chiSquare(counts, scene.softProbabilities(beta / 2))).isGreaterThan(CHI2_999[5]);
        assertThat(chiSquare(counts, scene.softProbabilities(beta * 2))).isGreaterThan(CHI2_999[5]);
    }

    @Test
    void shouldDrawDistanceWeightedNegativesByTheInverseSphereDensity() {
        // Given D = 4 and negatives at Euclidean 0.3 (clipped to 0.5), 0.6, 0.8, 1.0, 1.2 and 1.5 (past the
        // nonzero-loss cutoff: weight 0)
        Scene scene = new Scene(4, 0.5f, new float[] {0.09f, 0.36f, 0.64f, 1.0f, 1.44f, 2.25f});
        NegativeSampling.DistanceWeighted rule = new NegativeSampling.DistanceWeighted(0.5, 1.4);
        MiningRules rules = new MiningRules(4f, MiningPolicy.ALL, 1, 1, PositiveRule.FARTHEST, rule,
                Float.POSITIVE_INFINITY);

        // When 20,000 anchors draw one negative each
        long[] counts = scene.firstNegativeCounts(rules);

        // Then the one past the cutoff is never drawn, and the others follow 1/q(x) in 4 dimensions, which is
        // not the density of 8 dimensions
        assertThat(counts[5]).isZero();
        assertThat(chiSquare(counts, scene.weightedProbabilities(rule, 4))).isLessThan(CHI2_999[4]);
        assertThat(chiSquare(counts, scene.weightedProbabilities(rule, 8))).isGreaterThan(CHI2_999[4]);
    }

    @Test
    void shouldDrawTwoNegativesAsSequentialSamplingWithoutReplacementDoes() {
        // Given four negatives and β = 2
        double beta = 2;
        Scene scene = new Scene(4, 1.5f, new float[] {0.2f, 0.5f, 0.8f, 1.1f});
        MiningRules rules = new MiningRules(4f, MiningPolicy.ALL, 1, 2, PositiveRule.FARTHEST,
                new NegativeSampling.Soft(beta), Float.POSITIVE_INFINITY);

        // When each anchor draws two, in order
        long[] pairs = scene.orderedPairCounts(rules);

        // Then (i, j) comes with probability p_i · p_j / (1 − p_i), the Gumbel-top-k's promise, for this β only
        assertThat(chiSquare(pairs, orderedPairs(scene.softProbabilities(beta)))).isLessThan(CHI2_999[11]);
        assertThat(chiSquare(pairs, orderedPairs(scene.softProbabilities(beta * 2)))).isGreaterThan(CHI2_999[11]);
    }

    @Test
    void shouldDrawRandomPositivesUniformly() {
        // Given five positives at different distances (so farthest or nearest would pick one of them always)
        Scene scene = new Scene(4, 0f, new float[] {0.5f});
        scene.positivesAt(new float[] {0.2f, 0.4f, 0.6f, 0.8f, 1.0f});
        MiningRules rules = new MiningRules(4f, MiningPolicy.ALL, 1, 1, PositiveRule.RANDOM,
                new NegativeSampling.Hardest(), Float.POSITIVE_INFINITY);

        // When each anchor draws one
        long[] counts = scene.firstPositiveCounts(rules, 5);

        // Then each is drawn a fifth of the time
        assertThat(chiSquare(counts, new double[] {0.2, 0.2, 0.2, 0.2, 0.2})).isLessThan(CHI2_999[4]);
        assertThat(chiSquare(counts, new double[] {0.3, 0.2, 0.2, 0.2, 0.1})).isGreaterThan(CHI2_999[4]);
    }

    private static double chiSquare(long[] observed, double[] p) {
        long n = 0;
        for (long o : observed) {
            n += o;
        }
        double chi2 = 0;
        for (int i = 0; i < observed.length; i++) {
            if (p[i] == 0) {
                assertThat(observed[i]).as("a category of probability 0").isZero();
                continue;
            }
            double e = n * p[i];
            chi2 += (observed[i] - e) * (observed[i] - e) / e;
        }
        return chi2;
    }

    /** P(first i, then j) = p_i · p_j / (1 − p_i), for i ≠ j, as index i · n + j (the diagonal stays 0). */
    private static double[] orderedPairs(double[] p) {
        int n = p.length;
        double[] out = new double[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                out[i * n + j] = i == j ? 0 : p[i] * p[j] / (1 - p[i]);
            }
        }
        return out;
    }

    /** An anchor at e0, label "A" positives and label "B" negatives at chosen squared distances from it. */
    private static final class Scene {
        private final int dim;
        private final MemoryBank bank;
        private final float[] anchor;
        private final float[] negativeD;
        private int positives;

        Scene(int dim, float positiveD, float[] negatives) {
            this.dim = dim;
            this.bank = new MemoryBank(dim, 64, 64);
            this.anchor = new float[dim];
            anchor[0] = 1f;
            if (positiveD > 0) {
                positivesAt(new float[] {positiveD});
            }
            for (int i = 0; i < negatives.length; i++) {
                bank.put("B/" + i, new EmbeddedImage("n" + i, "B", "1", at(negatives[i], 0.3 + i), null, 0));
            }
            this.negativeD = distances(negatives.length);
        }

        void positivesAt(float[] d) {
            for (float x : d) {
                bank.put("A/" + positives, new EmbeddedImage("p" + positives, "A", "1", at(x, 2.0 + positives),
                        null, 0));
                positives++;
            }
        }

        /** A unit vector at squared distance d from e0, turned by {@code angle} in the other axes. */
        private float[] at(float d, double angle) {
            double c = 1 - d / 2.0;
            double s = Math.sqrt(Math.max(0, 1 - c * c));
            float[] v = new float[dim];
            v[0] = (float) c;
            v[1] = (float) (s * Math.cos(angle));
            v[2] = (float) (s * Math.sin(angle));
            return v;
        }

        /** The negatives' distances as the miner sees them (its kernel's floats, not the nominal ones). */
        private float[] distances(int negatives) {
            float[] out = new float[negatives];
            bank.read(view -> {
                float[] d = new float[view.rows()];
                Distances.scalar().squaredL2(anchor, 1, view.vectors(), view.rows(), dim, d);
                for (int r = 0; r < view.rows(); r++) {
                    if (view.id(r).startsWith("n")) {
                        out[Integer.parseInt(view.id(r).substring(1))] = d[r];
                    }
                }
                return null;
            });
            return out;
        }

        double[] softProbabilities(double beta) {
            double[] w = new double[negativeD.length];
            double sum = 0;
            for (int i = 0; i < w.length; i++) {
                w[i] = Math.exp(-beta * negativeD[i]);
                sum += w[i];
            }
            for (int i = 0; i < w.length; i++) {
                w[i] /= sum;
            }
            return w;
        }

        /** Wu et al.'s weights written out again (not the miner's code), normalised after subtracting the max. */
        double[] weightedProbabilities(NegativeSampling.DistanceWeighted rule, int d) {
            double[] logW = new double[negativeD.length];
            double max = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < logW.length; i++) {
                double x = Math.max(rule.cutoff(), Math.sqrt(negativeD[i]));
                logW[i] = x >= rule.nonzeroLossCutoff() ? Double.NEGATIVE_INFINITY
                        : (2 - d) * Math.log(x) - (d - 3) / 2.0 * Math.log(1 - x * x / 4);
                max = Math.max(max, logW[i]);
            }
            double sum = 0;
            double[] p = new double[logW.length];
            for (int i = 0; i < p.length; i++) {
                p[i] = Math.exp(logW[i] - max);
                sum += p[i];
            }
            for (int i = 0; i < p.length; i++) {
                p[i] /= sum;
            }
            return p;
        }

        private List<List<Triplet>> mine(MiningRules rules) {
            List<EmbeddedImage> anchors = new ArrayList<>();
            for (int i = 0; i < ANCHORS; i++) {
                anchors.add(new EmbeddedImage("q" + i, "A", "1", anchor, null, 0));
            }
            return new TripletMiner(rules, Distances.create(), 2).mine(bank, anchors);
        }

        long[] firstNegativeCounts(MiningRules rules) {
            long[] counts = new long[negativeD.length];
            for (List<Triplet> t : mine(rules)) {
                assertThat(t).hasSize(1);
                counts[Integer.parseInt(t.get(0).negative().id().substring(1))]++;
            }
            return counts;
        }

        long[] orderedPairCounts(MiningRules rules) {
            int n = negativeD.length;
            long[] counts = new long[n * n];
            for (List<Triplet> t : mine(rules)) {
                assertThat(t).hasSize(2);
                counts[Integer.parseInt(t.get(0).negative().id().substring(1)) * n
                        + Integer.parseInt(t.get(1).negative().id().substring(1))]++;
            }
            return counts;
        }

        long[] firstPositiveCounts(MiningRules rules, int n) {
            long[] counts = new long[n];
            Map<String, Integer> seen = new HashMap<>();
            for (List<Triplet> t : mine(rules)) {
                if (!t.isEmpty()) {
                    counts[Integer.parseInt(t.get(0).positive().id().substring(1))]++;
                } else {
                    seen.merge("none", 1, Integer::sum);
                }
            }
            assertThat(seen).as("anchors without a triplet").isEmpty();
            return counts;
        }
    }
}
