package io.hardneg.mining;

/**
 * How a positive's negatives are chosen among the candidates in its window (other label, same version, gap under
 * α, accepted by the policy, above the gap floor): the closest, or a weighted draw without replacement.
 *
 * <p>A draw is a Gumbel-top-k: each candidate scores log w + Gumbel(u) with u derived from the record
 * ({@link RecordRandom}) and the k highest scores win, which is sequential weighted sampling without replacement
 * (Vieira 2014; Kool et al. 2019) and, unlike a sequential draw, does not depend on the order candidates are met.
 * Only the differences of log-weights matter, so the weights are never normalised nor exponentiated: no overflow.
 */
public sealed interface NegativeSampling {

    /** The closest candidates, (d_an, row) ascending: the original rule and the miner's fast path. */
    record Hardest() implements NegativeSampling {
    }

    /**
     * Probability ∝ exp(−β·d_an): β = 0 is uniform, a large β approaches {@link Hardest}.
     */
    record Soft(double beta) implements NegativeSampling {

        public Soft {
            if (!(beta >= 0 && beta < Double.POSITIVE_INFINITY)) {
                throw new IllegalArgumentException("soft sampling needs a finite beta >= 0, found " + beta);
            }
        }
    }

    /**
     * Distance-weighted sampling (Wu et al. 2017, "Sampling Matters in Deep Embedding Learning"; the rule of
     * pytorch-metric-learning's DistanceWeightedMiner): with x = max(cutoff, sqrt(d_an)) the Euclidean distance,
     * w = 1/q(x) where q(x) ∝ x^(D−2)·(1 − x²/4)^((D−3)/2) is the density of distances between random points
     * on the unit sphere in D dimensions, and w = 0 for x ≥ nonzeroLossCutoff.
     */
    record DistanceWeighted(double cutoff, double nonzeroLossCutoff) implements NegativeSampling {

        /** Keeps log(1 − x²/4) finite as x → 2 (antipodal points): the weight there is huge but not infinite. */
        static final double MIN_SPHERE_TERM = 1e-12;

        public DistanceWeighted {
            if (!(cutoff > 0 && cutoff < 2) || !(nonzeroLossCutoff > cutoff && nonzeroLossCutoff <= 2)) {
                throw new IllegalArgumentException("distance-weighted sampling needs 0 < cutoff < nonzero-loss-cutoff"
                        + " <= 2 (Euclidean distances on the unit sphere); found cutoff=" + cutoff
                        + ", nonzero-loss-cutoff=" + nonzeroLossCutoff);
            }
        }
    }

    /** Whether this is the closest-first rule, which needs no weights and no draws. */
    default boolean hardest() {
        return this instanceof Hardest;
    }

    /**
     * The candidate's log-weight at squared distance {@code d} in a {@code dim}-dimensional embedding, up to a
     * constant; {@code -∞} means it is never drawn. StrictMath, so every JVM gives the same bits.
     */
    default double logWeight(float d, int dim) {
        if (this instanceof Soft s) {
            return -s.beta() * d;
        }
        if (this instanceof DistanceWeighted w) {
            double x = Math.max(w.cutoff(), StrictMath.sqrt(d));
            if (x >= w.nonzeroLossCutoff()) {
                return Double.NEGATIVE_INFINITY;
            }
            double sphere = Math.max(DistanceWeighted.MIN_SPHERE_TERM, 1.0 - 0.25 * x * x);
            return (2.0 - dim) * StrictMath.log(x) - ((dim - 3.0) / 2.0) * StrictMath.log(sphere);
        }
        return 0.0;
    }
}
