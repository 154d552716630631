package io.hardneg.mining;

import static io.hardneg.mining.MiningFixtures.describe;
import static io.hardneg.mining.MiningFixtures.near;
import static org.assertj.core.api.Assertions.assertThat;

import io.hardneg.config.MiningPolicy;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The miner against the rule written the slow, obvious way: every distance computed, positives sorted farthest
 * first, each positive's negatives sorted hardest first and cut at the caps. Any pruning, grouping or kernel
 * shortcut that changed a decision shows up here.
 */
class TripletMinerReferenceTest {

    private static final int DIM = 24;

    @Test
    void shouldMineExactlyWhatSortingEveryCandidateYields() {
        // Given a bank with 9 overlapping classes, two model versions, removed rows, exact duplicates (ties) and
        // entries that are anchors themselves; and 75 anchors (more than two blocks): labeled, unlabeled, of an
        // unknown label and of the old model version
        Random rnd = new Random(21);
        MemoryBank bank = new MemoryBank(DIM, 400, 3000);
        float[][] centres = new float[9][];
        for (int c = 0; c < centres.length; c++) {
            centres[c] = DistancesTest.unitRows(rnd, 1, DIM);
        }
        List<float[]> vectors = new ArrayList<>();
        for (int i = 0; i < 2400; i++) {
            int label = i % 9;
            float[] v = i % 50 == 17 ? vectors.get(i - 9) : near(rnd, centres[label], 1.3f); // same label, same vector
            vectors.add(v);
            String version = i % 13 == 0 ? "0" : "1";
            bank.put(label + "/" + i, new EmbeddedImage("b" + i, Integer.toString(label), version, v, null, i));
        }
        for (int i = 0; i < 2400; i += 17) {
            bank.remove(i % 9 + "/" + i);
        }
        List<EmbeddedImage> anchors = new ArrayList<>();
        for (int i = 0; i < 70; i++) {
            int label = rnd.nextInt(9);
            anchors.add(new EmbeddedImage("a" + i, Integer.toString(label), i % 11 == 0 ? "0" : "1",
                    near(rnd, centres[label], 1.3f), null, i));
        }
        anchors.add(new EmbeddedImage("b5", "5", "1", vectors.get(5), null, 0)); // its own bank entry
        anchors.add(new EmbeddedImage("u", null, "1", vectors.get(1), null, 0));
        anchors.add(new EmbeddedImage("x", "unknown", "1", vectors.get(2), null, 0));
        anchors.add(new EmbeddedImage("v", "3", "9", vectors.get(3), null, 0));
        anchors.add(new EmbeddedImage("b8", "8", "1", vectors.get(8), null, 0)); // vector 17 is its twin

        for (MiningRules rules : List.of(MiningRules.defaults(), new MiningRules(0.2f, MiningPolicy.SEMIHARD, 2, 3),
                new MiningRules(0.5f, MiningPolicy.HARD, 3, 5), new MiningRules(1.0f, MiningPolicy.ALL, 4, 40))) {
            List<String> expected = describe(reference(bank, anchors, rules));
            assertThat(expected.stream().filter(s -> !s.endsWith("end")).count()).as("triplets in the reference")
                    .isGreaterThan(30);
            for (Distances kernel : List.of(Distances.scalar(), Distances.create())) {
                for (int parallelism : new int[] {1, 3}) {
                    // When the miner mines the same batch
                    List<List<Triplet>> mined = new TripletMiner(rules, kernel, parallelism).mine(bank, anchors);
                    // Then it publishes exactly the reference's triplets, in the same order
                    assertThat(describe(mined)).as("%s, %s, %d threads", rules, kernel.name(), parallelism)
                            .isEqualTo(expected);
                }
            }
        }
    }

    /** The mining rule, computed from the whole distance matrix without any shortcut. */
    private static List<List<Triplet>> reference(MemoryBank bank, List<EmbeddedImage> anchors, MiningRules rules) {
        return bank.read(view -> {
            int rows = view.rows();
            float[] q = new float[anchors.size() * DIM];
            for (int i = 0; i < anchors.size(); i++) {
                System.arraycopy(anchors.get(i).embedding(), 0, q, i * DIM, DIM);
            }
            float[] d = new float[anchors.size() * rows];
            Distances.scalar().squaredL2(q, anchors.size(), view.vectors(), rows, DIM, d);
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
                    if (!view.occupied(r) || !a.modelVersion().equals(versionOf(bank, view, r))) {
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
                positives.sort(Comparator.<Integer>comparingDouble(r -> -d[base + r]).thenComparing(r -> r));
                negatives.sort(Comparator.<Integer>comparingDouble(r -> d[base + r]).thenComparing(r -> r));
                for (int p : positives.subList(0, Math.min(rules.positivesPerAnchor(), positives.size()))) {
                    float dAp = d[base + p];
                    int taken = 0;
                    for (int n : negatives) {
                        float gap = d[base + n] - dAp;
                        if (gap >= rules.alpha() || taken == rules.negativesPerPositive()) {
                            break;
                        }
                        if (rules.accepts(TripletKind.of(gap, rules.alpha()))) {
                            found.add(new Triplet(new Triplet.Member(a.id(), a.label(), null, a.timestamp()),
                                    new Triplet.Member(view.id(p), view.label(p), null, 0),
                                    new Triplet.Member(view.id(n), view.label(n), null, 0), dAp, d[base + n],
                                    rules.alpha(), a.modelVersion()));
                            taken++;
                        }
                    }
                }
            }
            return out;
        });
    }

    private static String versionOf(MemoryBank bank, MemoryBank.View view, int row) {
        for (String v : List.of("0", "1", "9")) {
            if (view.versionIdOf(v) == view.versionId(row)) {
                return v;
            }
        }
        return "?";
    }
}
