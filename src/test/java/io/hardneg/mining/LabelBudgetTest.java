package io.hardneg.mining;

import static io.hardneg.mining.MiningFixtures.describe;
import static io.hardneg.mining.MiningFixtures.near;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.hardneg.config.MiningPolicy;
import io.hardneg.config.PositiveRule;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class LabelBudgetTest {

    private static final int DIM = 16;

    @Test
    void shouldSpendTheShareExactlyAndInProportionToConfusionBelowOne() {
        Random rnd = new Random(4);
        for (double share : new double[] {0.05, 0.3, 0.7, 0.99, 1.0}) {
            for (int trial = 0; trial < 50; trial++) {
                // Given confusions between ε and 1 for 1 to 30 labels
                double[] c = new double[1 + rnd.nextInt(30)];
                for (int i = 0; i < c.length; i++) {
                    c[i] = rnd.nextInt(4) == 0 ? LabelBudget.EPSILON : LabelBudget.EPSILON + rnd.nextDouble();
                }
                // When the share is spent
                double[] p = LabelBudget.waterFill(c, share);
                // Then the mean is the share, no p passes 1, and below 1 p is one multiple λ of c
                double mean = 0;
                double lambda = Double.NaN;
                for (int i = 0; i < p.length; i++) {
                    mean += p[i] / p.length;
                    assertThat(p[i]).isBetween(0.0, 1.0);
                    if (p[i] < 1 - 1e-12) {
                        lambda = Double.isNaN(lambda) ? p[i] / c[i] : lambda;
                        assertThat(p[i] / c[i]).isCloseTo(lambda, within(1e-9));
                    }
                }
                assertThat(mean).isCloseTo(share, within(1e-12));
                for (int i = 0; i < p.length; i++) {
                    for (int j = 0; j < p.length; j++) {
                        if (c[i] > c[j]) {
                            assertThat(p[i]).as("more confusion, no less budget").isGreaterThanOrEqualTo(p[j]);
                        }
                    }
                }
            }
        }
    }

    @Test
    void shouldGiveConfusedLabelsMoreAnchorsAndKeepPureOnesAboveZero() {
        // Given labels A and B drawn around one centre (confused) and C and D around centres of their own (pure)
        Random rnd = new Random(8);
        float[] ab = DistancesTest.unitRows(rnd, 1, DIM);
        float[] c = DistancesTest.unitRows(rnd, 1, DIM);
        float[] d = DistancesTest.unitRows(rnd, 1, DIM);
        MemoryBank bank = new MemoryBank(DIM, 200, 1000);
        for (int i = 0; i < 100; i++) {
            put(bank, "A", i, near(rnd, ab, 0.3f));
            put(bank, "B", i, near(rnd, ab, 0.3f));
            put(bank, "C", i, near(rnd, c, 0.1f));
            put(bank, "D", i, near(rnd, d, 0.1f));
        }
        LabelBudget budget = new LabelBudget(new LabelBudget.Rules(0.6, 10, 100), Distances.create());

        // When the budget is computed
        double[] p = bank.read(view -> budget.probabilities(view, 1));
        Map<String, LabelBudget.Entry> entries = budget.current();

        // Then A and B are about half pure and saturate; C and D are pure and share the rest: (0.6·4 − 2) / 2
        assertThat(entries.keySet()).containsExactly("A", "B", "C", "D");
        for (LabelBudget.Entry e : entries.values()) {
            assertThat(e.purity()).as(e.label()).isCloseTo(bruteForcePurity(bank, e.label(), 10), within(1e-12));
        }
        assertThat(entries.get("A").purity()).isBetween(0.3, 0.7);
        assertThat(entries.get("C").purity()).isEqualTo(1.0);
        assertThat(entries.get("C").confusion()).isEqualTo(LabelBudget.EPSILON);
        assertThat(entries.get("A").probability()).isEqualTo(1.0);
        assertThat(entries.get("C").probability()).isCloseTo(0.2, within(1e-12));
        double mean = entries.values().stream().mapToDouble(LabelBudget.Entry::probability).average().orElseThrow();
        assertThat(mean).isCloseTo(0.6, within(1e-12));
        // and the miner's array holds the same numbers by the bank's label ids
        bank.read(view -> {
            for (LabelBudget.Entry e : entries.values()) {
                assertThat(p[view.labelIdOf(e.label())]).isEqualTo(e.probability());
            }
            return null;
        });
    }

    @Test
    void shouldSpreadTheShareEvenlyWhenEveryLabelIsPure() {
        Random rnd = new Random(9);
        MemoryBank bank = new MemoryBank(DIM, 200, 1000);
        for (String label : List.of("A", "B", "C")) {
            float[] centre = DistancesTest.unitRows(rnd, 1, DIM);
            for (int i = 0; i < 30; i++) {
                put(bank, label, i, near(rnd, centre, 0.05f));
            }
        }
        LabelBudget budget = new LabelBudget(new LabelBudget.Rules(0.4, 5, 64), Distances.scalar());
        bank.read(view -> budget.probabilities(view, 1));
        assertThat(budget.current().values()).allSatisfy(e -> {
            assertThat(e.confusion()).isEqualTo(LabelBudget.EPSILON);
            assertThat(e.probability()).isCloseTo(0.4, within(1e-12));
        });
    }

    @Test
    void shouldRecomputeOnlyWhenTheBankChangedAndEnoughAnchorsWereMined() {
        // Given a bank of 2 labels × 4 rows (8 sampled rows: a refresh is due after 64 anchors) and a listener
        Random rnd = new Random(10);
        MemoryBank bank = new MemoryBank(DIM, 10, 100);
        for (int i = 0; i < 4; i++) {
            put(bank, "A", i, DistancesTest.unitRows(rnd, 1, DIM));
            put(bank, "B", i, DistancesTest.unitRows(rnd, 1, DIM));
        }
        AtomicInteger computed = new AtomicInteger();
        LabelBudget budget = new LabelBudget(new LabelBudget.Rules(0.5, 3, 64), Distances.scalar(),
                b -> computed.incrementAndGet());

        // When batches are mined: the first computes; an unchanged bank never recomputes
        bank.read(view -> budget.probabilities(view, 10));
        assertThat(computed).hasValue(1);
        bank.read(view -> budget.probabilities(view, 1000));
        assertThat(computed).hasValue(1);
        // Then a change after enough anchors (1,010 > 8 × 8) is taken at the next batch
        put(bank, "C", 0, DistancesTest.unitRows(rnd, 1, DIM));
        assertThat(anchorsUntilRecomputed(bank, budget, computed)).isEqualTo(1);
        assertThat(budget.current()).containsKey("C");
        // and a change (a removal counts) right after one waits for 8 anchors per sampled row (now 9 rows)
        bank.remove("C/0");
        assertThat(anchorsUntilRecomputed(bank, budget, computed))
                .isEqualTo(LabelBudget.ANCHORS_PER_SAMPLED_ROW * 9 - 1);
        assertThat(budget.current()).doesNotContainKey("C");
    }

    /** Batches of one anchor until the budget is computed again; how many it took. */
    private static int anchorsUntilRecomputed(MemoryBank bank, LabelBudget budget, AtomicInteger computed) {
        int before = computed.get();
        int n = 0;
        while (computed.get() == before && n < 10_000) {
            bank.read(view -> budget.probabilities(view, 1));
            n++;
        }
        return n;
    }

    /** The original rules (farthest positive, hardest negatives), the shipped ones, and random with two positives. */
    static Stream<MiningRules> rules() {
        return Stream.of(MiningRules.defaults(),
                new MiningRules(0.2f, MiningPolicy.ALL, 1, 3, PositiveRule.RANDOM, new NegativeSampling.Soft(5), 0.3f),
                new MiningRules(0.2f, MiningPolicy.ALL, 2, 2, PositiveRule.RANDOM, new NegativeSampling.Hardest(),
                        Float.POSITIVE_INFINITY),
                new MiningRules(0.2f, MiningPolicy.ALL, 1, 3, PositiveRule.NEAREST, new NegativeSampling.Soft(5), 0.3f));
    }

    @ParameterizedTest
    @MethodSource("rules")
    void shouldMineOnlyTheAnchorsTheBudgetDrawsAndStillJudgeTheOthers(MiningRules rules) {
        // Given the reference bank, a detector and a budget of a third of the anchors
        MiningRulesReferenceTest.Fixture f = MiningRulesReferenceTest.Fixture.build(13);
        MislabelDetector detector = new MislabelDetector(new MislabelDetector.Rules(0.4f, 5, 0.6), Distances.scalar());
        LabelBudget budget = new LabelBudget(new LabelBudget.Rules(1 / 3.0, 10, 64), Distances.create());

        // When the miner mines with the budget
        TripletMiner.Mined pass = new TripletMiner(rules, Distances.create(), 2, budget).mine(f.bank(), f.anchors(),
                detector);

        // Then an anchor has triplets only when u(anchor) < p of its label, and then exactly the ones it has
        // without a budget (a passed-over anchor draws no positives, which must change nothing); the verdicts are
        // all there, as the detector alone gives them
        List<List<Triplet>> all = new TripletMiner(rules, Distances.create(), 2).mine(f.bank(), f.anchors());
        List<List<Triplet>> expected = new ArrayList<>();
        int kept = 0;
        int passed = 0;
        for (int i = 0; i < f.anchors().size(); i++) {
            EmbeddedImage a = f.anchors().get(i);
            LabelBudget.Entry e = a.label() == null ? null : budget.current().get(a.label());
            boolean chosen = e != null && RecordRandom.anchorDraw(a.id(), a.modelVersion()) < e.probability();
            expected.add(chosen ? all.get(i) : List.of());
            kept += chosen && !all.get(i).isEmpty() ? 1 : 0;
            passed += !chosen && !all.get(i).isEmpty() ? 1 : 0;
        }
        assertThat(kept).isGreaterThan(5);
        assertThat(passed).isGreaterThan(5);
        assertThat(describe(pass.triplets())).isEqualTo(describe(expected));
        assertThat(pass.suspects()).isEqualTo(detector.detect(f.bank(), f.anchors()));
        assertThat(pass.suspects().stream().filter(s -> s != null).count()).isGreaterThan(0);
    }

    /** Every row of the label: the share of its k nearest other rows (sorted by distance, then row) in it. */
    private static double bruteForcePurity(MemoryBank bank, String label, int k) {
        return bank.read(view -> {
            int rows = view.rows();
            float[] d = new float[rows * rows];
            Distances.scalar().squaredL2(view.vectors(), rows, view.vectors(), rows, DIM, d);
            double sum = 0;
            int n = 0;
            for (int r = 0; r < rows; r++) {
                if (!view.occupied(r) || !label.equals(view.label(r))) {
                    continue;
                }
                List<Integer> others = new ArrayList<>();
                for (int o = 0; o < rows; o++) {
                    if (o != r && view.occupied(o)) {
                        others.add(o);
                    }
                }
                int base = r * rows;
                others.sort(java.util.Comparator.<Integer>comparingDouble(o -> d[base + o]).thenComparing(o -> o));
                long same = others.subList(0, k).stream().filter(o -> label.equals(view.label(o))).count();
                sum += (double) same / k;
                n++;
            }
            return sum / n;
        });
    }

    private static void put(MemoryBank bank, String label, int i, float[] v) {
        bank.put(label + "/" + i, new EmbeddedImage(label + i, label, "1", v, null, i));
    }
}
