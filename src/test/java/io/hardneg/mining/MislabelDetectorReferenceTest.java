package io.hardneg.mining;

import static io.hardneg.mining.MiningFixtures.near;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The detector against its rule computed from the whole distance matrix, neighbours sorted by (distance, row). */
class MislabelDetectorReferenceTest {

    private static final int DIM = 16;

    private static final List<MislabelDetector.Rules> RULES = List.of(new MislabelDetector.Rules(0.05f, 5, 0.6),
            new MislabelDetector.Rules(0.2f, 12, 0.75), new MislabelDetector.Rules(0f, 1, 1.0),
            // about 231 current rows per class: some classes have enough, some do not
            new MislabelDetector.Rules(0.05f, 5, 0.6, 231));

    @Test
    void shouldJudgeEveryAnchorAsTheRuleOverAllDistancesDoes() {
        // Given a bank of 8 tight classes with 2 model versions, removed rows and duplicated vectors (ties), and
        // 90 anchors of which every third carries a wrong label
        Scene scene = scene(31, 90);
        MemoryBank bank = scene.bank();
        List<EmbeddedImage> anchors = scene.anchors();
        assertThat(reference(bank, anchors, RULES.get(3))).as("min-positives 231 leaves some classes unjudged")
                .isNotEqualTo(reference(bank, anchors, RULES.get(0)));
        for (MislabelDetector.Rules rules : RULES) {
            List<String> expected = reference(bank, anchors, rules);
            assertThat(expected.stream().filter(s -> s.contains("suspect")).count()).as("suspects").isGreaterThan(10);
            for (Distances kernel : List.of(Distances.scalar(), Distances.create())) {
                // When the detector judges the same anchors
                List<MislabelDetector.Suspicion> found = new MislabelDetector(rules, kernel).detect(bank, anchors);
                // Then it reaches the same verdicts on the same neighbours
                assertThat(describe(found)).as("%s, %s", rules, kernel.name()).isEqualTo(expected);
            }
        }
    }

    @Test
    void shouldJudgeAlikeWhenFedByTheMinersPassAndLeaveTheTripletsAsTheyWere() {
        // Given the same kind of bank and 600 anchors: 600 × ~1,900 rows is past the miner's threshold for
        // sharing a batch among threads, so the parallel path is judged too
        Scene scene = scene(32, 600);
        MemoryBank bank = scene.bank();
        List<EmbeddedImage> anchors = scene.anchors();
        assertThat((long) anchors.size() * bank.size()).isGreaterThanOrEqualTo(TripletMiner.PARALLEL_MIN_PAIRS);
        for (MislabelDetector.Rules rules : RULES) {
            List<String> expected = reference(bank, anchors, rules);
            assertThat(expected.stream().filter(s -> s.contains("suspect")).count()).as("suspects").isGreaterThan(50);
            for (Distances kernel : List.of(Distances.scalar(), Distances.create())) {
                for (int parallelism : new int[] {1, 3}) {
                    TripletMiner miner = new TripletMiner(MiningRules.defaults(), kernel, parallelism);
                    // When the miner's pass feeds the detector
                    TripletMiner.Mined pass = miner.mine(bank, anchors, new MislabelDetector(rules, kernel));
                    // Then its verdicts are the rule's, and its triplets those of the miner on its own
                    String as = rules + ", " + kernel.name() + ", " + parallelism + " threads";
                    assertThat(describe(pass.suspects())).as(as).isEqualTo(expected);
                    assertThat(MiningFixtures.describe(pass.triplets())).as(as)
                            .isEqualTo(MiningFixtures.describe(miner.mine(bank, anchors)));
                }
            }
        }
    }

    private record Scene(MemoryBank bank, List<EmbeddedImage> anchors) {
    }

    private static Scene scene(long seed, int anchors) {
        Random rnd = new Random(seed);
        float[][] centres = centres(rnd);
        List<float[]> vectors = new ArrayList<>();
        MemoryBank bank = bank(rnd, centres, vectors);
        return new Scene(bank, anchors(rnd, centres, vectors, anchors));
    }

    private static float[][] centres(Random rnd) {
        float[][] centres = new float[8][];
        for (int c = 0; c < centres.length; c++) {
            centres[c] = DistancesTest.unitRows(rnd, 1, DIM);
        }
        return centres;
    }

    /** 2,000 entries of 8 classes, every 29th of model version 0, every 40th a copy of another, every 23rd removed. */
    private static MemoryBank bank(Random rnd, float[][] centres, List<float[]> vectors) {
        MemoryBank bank = new MemoryBank(DIM, 300, 2400);
        for (int i = 0; i < 2000; i++) {
            int label = i % 8;
            float[] v = i % 40 == 19 ? vectors.get(i - 8) : near(rnd, centres[label], 0.6f);
            vectors.add(v);
            bank.put(label + "/" + i, new EmbeddedImage("b" + i, Integer.toString(label), i % 29 == 0 ? "0" : "1", v,
                    null, i));
        }
        for (int i = 0; i < 2000; i += 23) {
            bank.remove(i % 8 + "/" + i);
        }
        return bank;
    }

    /** {@code n} anchors, every third with a wrong label; then one that is a bank entry and one unlabeled. */
    private static List<EmbeddedImage> anchors(Random rnd, float[][] centres, List<float[]> vectors, int n) {
        List<EmbeddedImage> anchors = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int truth = rnd.nextInt(8);
            int label = i % 3 == 0 ? (truth + 1 + rnd.nextInt(7)) % 8 : truth;
            anchors.add(new EmbeddedImage("a" + i, Integer.toString(label), "1", near(rnd, centres[truth], 0.6f),
                    null, i));
        }
        anchors.add(new EmbeddedImage("b3", "3", "1", vectors.get(3), null, 0)); // its own bank entry
        anchors.add(new EmbeddedImage("u", null, "1", vectors.get(4), null, 0));
        return anchors;
    }

    private static List<String> describe(List<MislabelDetector.Suspicion> found) {
        List<String> actual = new ArrayList<>();
        for (int i = 0; i < found.size(); i++) {
            actual.add(describe(i, found.get(i)));
        }
        return actual;
    }

    private static String describe(int i, MislabelDetector.Suspicion s) {
        if (s == null) {
            return i + ": -";
        }
        return i + ": suspect " + s.suggestedLabel() + " votes " + s.votes() + " mean "
                + Float.floatToRawIntBits(s.meanPositiveDistance()) + " neg " + ids(s.negatives()) + " pos "
                + ids(s.positives());
    }

    private static String ids(List<MislabelDetector.Neighbour> ns) {
        StringBuilder b = new StringBuilder();
        for (MislabelDetector.Neighbour n : ns) {
            b.append(n.id()).append('@').append(Float.floatToRawIntBits(n.distance())).append(' ');
        }
        return b.toString();
    }

    private static List<String> reference(MemoryBank bank, List<EmbeddedImage> anchors, MislabelDetector.Rules rules) {
        return bank.read(view -> {
            int rows = view.rows();
            float[] q = new float[anchors.size() * DIM];
            for (int i = 0; i < anchors.size(); i++) {
                System.arraycopy(anchors.get(i).embedding(), 0, q, i * DIM, DIM);
            }
            float[] d = new float[anchors.size() * rows];
            Distances.scalar().squaredL2(q, anchors.size(), view.vectors(), rows, DIM, d);
            int current = view.versionIdOf("1");
            List<String> out = new ArrayList<>();
            for (int i = 0; i < anchors.size(); i++) {
                EmbeddedImage a = anchors.get(i);
                int base = i * rows;
                List<Integer> pos = new ArrayList<>();
                List<Integer> neg = new ArrayList<>();
                for (int r = 0; r < rows; r++) {
                    if (a.label() == null || !view.occupied(r) || view.versionId(r) != current) {
                        continue;
                    }
                    if (view.label(r).equals(a.label())) {
                        if (!view.id(r).equals(a.id())) {
                            pos.add(r);
                        }
                    } else {
                        neg.add(r);
                    }
                }
                Comparator<Integer> nearest = Comparator.<Integer>comparingDouble(r -> d[base + r])
                        .thenComparing(r -> r);
                pos.sort(nearest);
                neg.sort(nearest);
                int k = rules.k();
                if (pos.size() < rules.minPositives()) {
                    out.add(i + ": -");
                    continue;
                }
                pos = pos.subList(0, Math.min(k, pos.size()));
                neg = neg.subList(0, Math.min(k, neg.size()));
                if (pos.isEmpty() || neg.size() < k) {
                    out.add(i + ": -");
                    continue;
                }
                float sum = 0f;
                for (int r : pos) {
                    sum += d[base + r];
                }
                float mean = sum / pos.size();
                Map<String, Integer> votes = new LinkedHashMap<>();
                for (int r : neg) {
                    if (d[base + r] - mean < -rules.tau()) {
                        votes.merge(view.label(r), 1, Integer::sum);
                    }
                }
                String best = null;
                int bestVotes = 0;
                for (Map.Entry<String, Integer> e : votes.entrySet()) {
                    if (e.getValue() > bestVotes) {
                        best = e.getKey();
                        bestVotes = e.getValue();
                    }
                }
                if (bestVotes < rules.votesNeeded()) {
                    out.add(i + ": -");
                    continue;
                }
                StringBuilder ns = new StringBuilder();
                for (int r : neg) {
                    ns.append(view.id(r)).append('@').append(Float.floatToRawIntBits(d[base + r])).append(' ');
                }
                StringBuilder ps = new StringBuilder();
                for (int r : pos) {
                    ps.append(view.id(r)).append('@').append(Float.floatToRawIntBits(d[base + r])).append(' ');
                }
                out.add(i + ": suspect " + best + " votes " + bestVotes + " mean " + Float.floatToRawIntBits(mean)
                        + " neg " + ns + " pos " + ps);
            }
            return out;
        });
    }
}
