package io.hardneg.mining;

import static io.hardneg.mining.MiningFixtures.describe;
import static io.hardneg.mining.MiningFixtures.near;
import static org.assertj.core.api.Assertions.assertThat;

import io.hardneg.config.MiningPolicy;
import io.hardneg.config.PositiveRule;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Every positive rule × negative rule × gap floor × policy against the rule written the slow, obvious way: every
 * distance computed, every eligible positive ranked, every candidate of the window scored with the same
 * record-derived u (computed here from its definition, in one call, not the miner's streamed hash) and sorted.
 * Any pruning, grouping, kernel, thread split or streaming shortcut that changed a decision shows up here.
 */
class MiningRulesReferenceTest {

    private static final int DIM = 24;

    private static final List<NegativeSampling> NEGATIVES = List.of(new NegativeSampling.Hardest(),
            new NegativeSampling.Soft(5), new NegativeSampling.Soft(0),
            new NegativeSampling.DistanceWeighted(0.5, 1.4));

    @Test
    void shouldMineExactlyWhatRankingEveryCandidateYieldsForEveryRule() {
        // Given the reference test's bank (overlapping classes, two versions, removed rows, duplicates) and anchors
        Fixture f = Fixture.build(21);
        int[][] caps = {{1, 3}, {2, 3}, {3, 5}};
        int combination = 0;
        for (PositiveRule positive : PositiveRule.values()) {
            for (NegativeSampling negative : NEGATIVES) {
                for (float floor : new float[] {Float.POSITIVE_INFINITY, 0.3f}) {
                    for (MiningPolicy policy : MiningPolicy.values()) {
                        int[] cap = caps[combination++ % caps.length];
                        float alpha = policy == MiningPolicy.HARD ? 0.5f : 0.2f;
                        MiningRules rules = new MiningRules(alpha, policy, cap[0], cap[1], positive, negative, floor);
                        List<String> expected = describe(reference(f.bank, f.anchors, rules));
                        assertThat(expected.stream().filter(s -> !s.endsWith("end")).count())
                                .as("triplets in the reference for %s", rules).isGreaterThan(5);
                        for (Distances kernel : List.of(Distances.scalar(), Distances.create())) {
                            for (int parallelism : new int[] {1, 3}) {
                                // When the miner mines the same batch
                                List<List<Triplet>> mined = new TripletMiner(rules, kernel, parallelism)
                                        .mine(f.bank, f.anchors);
                                // Then it publishes exactly the reference's triplets, in the same order
                                assertThat(describe(mined)).as("%s, %s, %d threads", rules, kernel.name(),
                                        parallelism).isEqualTo(expected);
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void shouldGiveTheDetectorTheSameVerdictsWhateverTheRules() {
        // Given the bank and a detector
        Fixture f = Fixture.build(5);
        MislabelDetector detector = new MislabelDetector(new MislabelDetector.Rules(0.4f, 5, 0.6), Distances.scalar());
        List<MislabelDetector.Suspicion> alone = detector.detect(f.bank, f.anchors);
        assertThat(alone.stream().filter(s -> s != null).count()).as("suspects").isGreaterThan(0);
        for (PositiveRule positive : PositiveRule.values()) {
            for (NegativeSampling negative : NEGATIVES) {
                MiningRules rules = new MiningRules(0.2f, MiningPolicy.ALL, 2, 3, positive, negative, 0.3f);
                // When the miner judges the anchors in its pass, under any rules
                TripletMiner.Mined pass = new TripletMiner(rules, Distances.create(), 2).mine(f.bank, f.anchors,
                        detector);
                // Then the verdicts are the detector's own
                assertThat(pass.suspects()).as("%s", rules).isEqualTo(alone);
            }
        }
    }

    /** The rules, computed from the whole distance matrix without any shortcut. */
    static List<List<Triplet>> reference(MemoryBank bank, List<EmbeddedImage> anchors, MiningRules rules) {
        return bank.read(view -> {
            int rows = view.rows();
            int dim = view.dim();
            float[] q = new float[anchors.size() * dim];
            for (int i = 0; i < anchors.size(); i++) {
                System.arraycopy(anchors.get(i).embedding(), 0, q, i * dim, dim);
            }
            float[] d = new float[anchors.size() * rows];
            Distances.scalar().squaredL2(q, anchors.size(), view.vectors(), rows, dim, d);
            List<List<Triplet>> out = new ArrayList<>();
            for (int i = 0; i < anchors.size(); i++) {
                EmbeddedImage a = anchors.get(i);
                int base = i * rows;
                List<Triplet> found = new ArrayList<>();
                out.add(found);
                if (a.label() == null) {
                    continue;
                }
                List<Integer> positives = new ArrayList<>();
                List<Integer> negatives = new ArrayList<>();
                for (int r = 0; r < rows; r++) {
                    if (!view.occupied(r) || view.versionId(r) != view.versionIdOf(a.modelVersion())) {
                        continue;
                    }
                    if (a.label().equals(view.label(r))) {
                        if (!a.id().equals(view.id(r))) {
                            positives.add(r);
                        }
                    } else {
                        negatives.add(r);
                    }
                }
                Comparator<Integer> byRow = Comparator.naturalOrder();
                positives.sort(switch (rules.positive()) {
                    case FARTHEST -> Comparator.<Integer>comparingDouble(r -> -d[base + r]).thenComparing(byRow);
                    case NEAREST -> Comparator.<Integer>comparingDouble(r -> d[base + r]).thenComparing(byRow);
                    case RANDOM -> Comparator.<Integer>comparingDouble(r -> -RecordRandom.uniform(a.id(),
                            a.modelVersion(), view.id(r), "pos")).thenComparing(byRow);
                });
                for (int p : positives.subList(0, Math.min(rules.positivesPerAnchor(), positives.size()))) {
                    float dAp = d[base + p];
                    List<Integer> window = new ArrayList<>();
                    List<Double> scores = new ArrayList<>();
                    for (int n : negatives) {
                        float gap = d[base + n] - dAp;
                        boolean admitted = gap < rules.alpha() && gap >= -rules.gapFloor()
                                && rules.accepts(TripletKind.of(gap, rules.alpha()));
                        if (!admitted) {
                            continue;
                        }
                        double score = rules.negative().hardest() ? -d[base + n]
                                : rules.negative().logWeight(d[base + n], dim) + RecordRandom.gumbel(RecordRandom
                                        .uniform(a.id(), a.modelVersion(), view.id(n), "neg:" + view.id(p)));
                        if (score != Double.NEGATIVE_INFINITY) {
                            window.add(n);
                            scores.add(score);
                        }
                    }
                    List<Integer> order = new ArrayList<>();
                    for (int k = 0; k < window.size(); k++) {
                        order.add(k);
                    }
                    order.sort(Comparator.<Integer>comparingDouble(k -> -scores.get(k))
                            .thenComparing(k -> window.get(k)));
                    for (int k : order.subList(0, Math.min(rules.negativesPerPositive(), order.size()))) {
                        int n = window.get(k);
                        found.add(new Triplet(new Triplet.Member(a.id(), a.label(), null, a.timestamp()),
                                new Triplet.Member(view.id(p), view.label(p), null, 0),
                                new Triplet.Member(view.id(n), view.label(n), null, 0), dAp, d[base + n],
                                rules.alpha(), a.modelVersion()));
                    }
                }
            }
            return out;
        });
    }

    /**
     * A bank of overlapping classes and a batch of anchors, as in {@link TripletMinerReferenceTest}, with a few
     * mislabeled anchors.
     */
    record Fixture(MemoryBank bank, List<EmbeddedImage> anchors, float[][] centres) {

        static Fixture build(long seed) {
            Random rnd = new Random(seed);
            MemoryBank bank = new MemoryBank(DIM, 400, 3000);
            float[][] centres = new float[9][];
            for (int c = 0; c < centres.length; c++) {
                centres[c] = DistancesTest.unitRows(rnd, 1, DIM);
            }
            List<float[]> vectors = new ArrayList<>();
            for (int i = 0; i < 1800; i++) {
                int label = i % 9;
                float[] v = i % 50 == 17 ? vectors.get(i - 9) : near(rnd, centres[label], 1.3f);
                vectors.add(v);
                String version = i % 13 == 0 ? "0" : "1";
                bank.put(label + "/" + i, new EmbeddedImage("b" + i, Integer.toString(label), version, v, null, i));
            }
            for (int i = 0; i < 1800; i += 17) {
                bank.remove(i % 9 + "/" + i);
            }
            List<EmbeddedImage> anchors = new ArrayList<>();
            for (int i = 0; i < 70; i++) {
                int label = rnd.nextInt(9);
                anchors.add(new EmbeddedImage("a" + i, Integer.toString(label), i % 11 == 0 ? "0" : "1",
                        near(rnd, centres[label], 1.3f), null, i));
            }
            for (int i = 0; i < 8; i++) { // deep inside another class: the detector's suspects
                int label = rnd.nextInt(9);
                anchors.add(new EmbeddedImage("m" + i, Integer.toString((label + 1) % 9), "1",
                        near(rnd, centres[label], 0.3f), null, i));
            }
            anchors.add(new EmbeddedImage("b5", "5", "1", vectors.get(5), null, 0));
            anchors.add(new EmbeddedImage("u", null, "1", vectors.get(1), null, 0));
            anchors.add(new EmbeddedImage("x", "unknown", "1", vectors.get(2), null, 0));
            anchors.add(new EmbeddedImage("v", "3", "9", vectors.get(3), null, 0));
            anchors.add(new EmbeddedImage("b8", "8", "1", vectors.get(8), null, 0));
            return new Fixture(bank, anchors, centres);
        }
    }
}
