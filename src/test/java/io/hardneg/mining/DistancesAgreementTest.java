package io.hardneg.mining;

import static io.hardneg.mining.MiningFixtures.describe;
import static io.hardneg.mining.MiningFixtures.near;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.IntUnaryOperator;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** The Vector API kernel and the scalar one must give bit-identical distances, hence identical decisions. */
class DistancesAgreementTest {

    private static Distances vector() {
        Distances v = DistancesProvider.vectorOrNull();
        assertThat(v).as("surefire runs with --add-modules jdk.incubator.vector").isNotNull();
        return v;
    }

    @Test
    void shouldChooseTheVectorKernelWhenTheModuleIsReadable() {
        assertThat(Distances.create().name()).startsWith("vector-");
        assertThat(Distances.scalar().name()).isEqualTo("scalar");
    }

    @Test
    void shouldSeeTheCpusFusedMultiplyAdd() throws IOException {
        // x86 lists "fma" among its flags; on ARMv8 FMA comes with Advanced SIMD ("asimd" among its features)
        Path cpuinfo = Path.of("/proc/cpuinfo");
        Assumptions.assumeTrue(Files.isReadable(cpuinfo), "no /proc/cpuinfo on this system");
        boolean listed = Files.readAllLines(cpuinfo).stream()
                .filter(l -> l.startsWith("flags") || l.startsWith("Features"))
                .map(l -> Arrays.asList(l.split("\\s+")))
                .anyMatch(words -> words.contains("fma") || words.contains("asimd"));
        assertThat(DistancesProvider.hardwareFma()).as("FMA listed in /proc/cpuinfo: %s", listed).isEqualTo(listed);
    }

    @Test
    void shouldComputeTheSameDuringTheWarmUpWithEitherKernel() {
        // The start-up warm-up runs every vector loop (bounded scan with tightening limits, gathered rows with two
        // query vectors and with one); its checksum sums the bits of every hit and sampled distance
        long vector = DistancesProvider.warmUp(vector());
        long scalar = DistancesProvider.warmUp(Distances.scalar());
        assertThat(vector).isEqualTo(scalar).isNotZero();
    }

    @Test
    void shouldRoundEachStepOnceAsMathFmaDoes() {
        // Both kernels fuse each multiply and add; pairs where that changes the bits tell a fused kernel from one
        // that rounds the product first
        Random rnd = new Random(5);
        int dim = 64;
        int pairs = 256;
        float[] q = new float[pairs * dim];
        float[] b = new float[pairs * dim];
        for (int i = 0; i < q.length; i++) {
            q[i] = (float) rnd.nextGaussian() * 0.125f;
            b[i] = (float) rnd.nextGaussian() * 0.125f;
        }
        int telling = 0;
        for (Distances kernel : List.of(vector(), Distances.scalar())) {
            float[] out = new float[pairs];
            for (int p = 0; p < pairs; p++) {
                float[] one = new float[1];
                kernel.squaredL2(Arrays.copyOfRange(q, p * dim, (p + 1) * dim), 1,
                        Arrays.copyOfRange(b, p * dim, (p + 1) * dim), 1, dim, one);
                out[p] = one[0];
            }
            telling = 0;
            for (int p = 0; p < pairs; p++) {
                float fused = 0;
                float rounded = 0;
                for (int i = 0; i < dim; i++) {
                    fused = Math.fma(q[p * dim + i], b[p * dim + i], fused);
                    rounded += q[p * dim + i] * b[p * dim + i];
                }
                assertThat(out[p]).as("%s, pair %d", kernel.name(), p).isEqualTo(ScalarDistances.distance(fused));
                if (ScalarDistances.distance(fused) != ScalarDistances.distance(rounded)) {
                    telling++;
                }
            }
        }
        assertThat(telling).as("pairs whose distance fusing changes").isGreaterThan(10);
    }

    @Test
    void shouldGiveBitIdenticalDistancesForEveryShape() {
        Random rnd = new Random(11);
        Distances scalar = Distances.scalar();
        Distances vector = vector();
        int[] dims = {1, 3, 17, 64};
        int[] queryCounts = {1, 5, 16, 17, 33, 64, 70};
        int[] bankCounts = {1, 3, 7, 130};
        for (int dim : dims) {
            for (int nq : queryCounts) {
                for (int nb : bankCounts) {
                    float[] q = DistancesTest.unitRows(rnd, nq, dim);
                    float[] b = DistancesTest.unitRows(rnd, nb, dim);
                    if (nb > 1) {
                        System.arraycopy(q, 0, b, 0, dim); // an exact duplicate: distance 0, never negative
                    }
                    float[] s = new float[nq * nb];
                    float[] v = new float[nq * nb];
                    scalar.squaredL2(q, nq, b, nb, dim, s);
                    vector.squaredL2(q, nq, b, nb, dim, v);
                    for (int i = 0; i < s.length; i++) {
                        assertThat(Float.floatToRawIntBits(v[i])).as("dim %d, %d×%d, cell %d", dim, nq, nb, i)
                                .isEqualTo(Float.floatToRawIntBits(s[i]));
                    }
                }
            }
        }
    }

    @Test
    void shouldGiveTheSameDistancesOverAGatheredRowList() {
        Random rnd = new Random(12);
        int dim = 64;
        float[] bank = DistancesTest.unitRows(rnd, 3000, dim);
        float[] q = DistancesTest.unitRows(rnd, 19, dim);
        float[] all = new float[19 * 3000];
        Distances.scalar().squaredL2(q, 19, bank, 3000, dim, all);
        int[] rows = new int[1500];
        for (int j = 0; j < rows.length; j++) {
            rows[j] = (j * 7919) % 3000;
        }
        for (Distances kernel : List.of(Distances.scalar(), vector())) {
            // rows[200 .. 1300): a list with an offset, longer than one kernel chunk
            float[] out = new float[19 * 1100];
            kernel.squaredL2(q, 19, bank, rows, 200, 1100, dim, out);
            for (int qi = 0; qi < 19; qi++) {
                for (int j = 0; j < 1100; j++) {
                    assertThat(Float.floatToRawIntBits(out[qi * 1100 + j])).as("%s q%d row %d", kernel.name(), qi, j)
                            .isEqualTo(Float.floatToRawIntBits(all[qi * 3000 + rows[200 + j]]));
                }
            }
        }
    }

    @Test
    void shouldReportExactlyThePairsWithinEachLimitAndOfAnotherTag() {
        // 37 queries: two vector blocks and a ragged one; 16 and 3: the vector kernel's one-vector scan
        for (int nq : new int[] {37, 16, 3}) {
            scanAgreement(nq, q -> q % 7, b -> b % 5 == 0 ? -1 : b % 7);
        }
    }

    @Test
    void shouldReportThePairsOfAnotherTagWhateverTheTagsAre() {
        // The vector kernel shuts, per row, the lanes of queries sharing the row's tag, with a table over the
        // queries' tag range; given negative tags, a range too wide for the table, and the ints' extremes
        for (int nq : new int[] {37, 16, 3}) {
            scanAgreement(nq, q -> -3 - q % 4, b -> -1 - b % 6);
            scanAgreement(nq, q -> q % 2 == 0 ? 0 : 1 << 20, b -> b % 3 == 0 ? 1 << 20 : b % 3 == 1 ? 0 : 1 << 19);
            scanAgreement(nq, q -> q % 2 == 0 ? Integer.MAX_VALUE : Integer.MAX_VALUE - 1,
                    b -> b % 3 == 0 ? Integer.MIN_VALUE : Integer.MAX_VALUE - b % 3 + 1);
        }
    }

    @Test
    void shouldReportAPairWhoseDistanceEqualsItsLimit() {
        // Given limits set exactly to the distance of one row per query (the inclusive edge: the vector kernel's
        // prefilter must pass it, whatever rounding its own test does), for 50 choices of that row, 37 / 16 / 3
        // queries, and a query equal to a bank row (distance 0, a dot product that may round past 1)
        Random rnd = new Random(29);
        int dim = 64;
        int nb = 1500;
        float[] bank = DistancesTest.unitRows(rnd, nb, dim);
        int[] rowTags = new int[nb];
        java.util.Arrays.fill(rowTags, 1);
        for (int nq : new int[] {37, 16, 3}) {
            float[] q = DistancesTest.unitRows(rnd, nq, dim);
            System.arraycopy(bank, 7 * dim, q, 0, dim);
            int[] queryTags = new int[nq];
            float[] all = new float[nq * nb];
            Distances.scalar().squaredL2(q, nq, bank, nb, dim, all);
            int edges = 0;
            for (int choice = 0; choice < 50; choice++) {
                float[] limits = new float[nq];
                for (int qi = 0; qi < nq; qi++) {
                    limits[qi] = all[qi * nb + (qi == 0 && choice == 0 ? 7 : (choice * 31 + qi * 17) % nb)];
                }
                // Then the vector kernel reports exactly the pairs within the limits, the edge ones included
                List<String> expected = new ArrayList<>();
                for (int qi = 0; qi < nq; qi++) {
                    for (int b = 0; b < nb; b++) {
                        if (all[qi * nb + b] <= limits[qi]) {
                            expected.add(qi + ":" + b);
                            edges += all[qi * nb + b] == limits[qi] ? 1 : 0;
                        }
                    }
                }
                List<String> hits = new ArrayList<>();
                vector().scanWithin(q, nq, bank, nb, dim, limits, queryTags, rowTags, (qi, row, d) -> {
                    hits.add(qi + ":" + row);
                    return limits[qi];
                });
                hits.sort(null);
                expected.sort(null);
                assertThat(hits).as("%d queries, choice %d", nq, choice).isEqualTo(expected);
            }
            assertThat(edges).isGreaterThanOrEqualTo(50 * nq);
        }
    }

    private static void scanAgreement(int nq, IntUnaryOperator queryTag, IntUnaryOperator rowTag) {
        // Given nq queries, 2503 rows (chunks and a tail), tags, and limits that each hit lowers to the distance it
        // reported
        Random rnd = new Random(13);
        int dim = 64;
        int nb = 2503;
        float[] bank = DistancesTest.unitRows(rnd, nb, dim);
        float[] q = DistancesTest.unitRows(rnd, nq, dim);
        System.arraycopy(bank, 5 * dim, q, 0, dim); // an exact duplicate: distance 0
        int[] rowTags = new int[nb];
        for (int b = 0; b < nb; b++) {
            rowTags[b] = rowTag.applyAsInt(b);
        }
        int[] queryTags = new int[nq];
        float[] limits = new float[nq];
        for (int i = 0; i < nq; i++) {
            queryTags[i] = queryTag.applyAsInt(i);
            limits[i] = i % 9 == 4 ? -1f : 1.6f + 0.02f * i;
        }
        float[] all = new float[nq * nb];
        Distances.scalar().squaredL2(q, nq, bank, nb, dim, all);
        for (boolean tighten : new boolean[] {false, true}) {
            // The expected hits with fixed limits are all pairs within them; with tightening, whatever the order,
            // the smallest distance per query and the final limit (the minimum) are the same
            List<String> reference = null;
            for (Distances kernel : List.of(Distances.scalar(), vector())) {
                float[] min = new float[nq];
                java.util.Arrays.fill(min, Float.POSITIVE_INFINITY);
                List<String> hits = new ArrayList<>();
                kernel.scanWithin(q, nq, bank, nb, dim, limits, queryTags, rowTags, (qi, row, d) -> {
                    assertThat(Float.floatToRawIntBits(d)).isEqualTo(Float.floatToRawIntBits(all[qi * nb + row]));
                    assertThat(rowTags[row]).isNotEqualTo(queryTags[qi]);
                    assertThat(d).isLessThanOrEqualTo(Math.min(limits[qi], tighten ? min[qi] : limits[qi]));
                    min[qi] = Math.min(min[qi], d);
                    if (!tighten) {
                        hits.add(qi + ":" + row);
                    }
                    return tighten ? d : limits[qi];
                });
                if (!tighten) {
                    hits.sort(null);
                    List<String> expected = new ArrayList<>();
                    for (int qi = 0; qi < nq; qi++) {
                        for (int b = 0; b < nb; b++) {
                            if (rowTags[b] != queryTags[qi] && all[qi * nb + b] <= limits[qi]) {
                                expected.add(qi + ":" + b);
                            }
                        }
                    }
                    expected.sort(null);
                    assertThat(expected).as("pairs within the limits").hasSizeGreaterThan(100);
                    assertThat(sameTagWithin(all, nb, rowTags, queryTags, limits)).as("pairs of one tag within "
                            + "the limits (the lanes to shut)").isGreaterThan(10);
                    assertThat(hits).as("%s, %d queries", kernel.name(), nq).isEqualTo(expected);
                } else {
                    List<String> mins = new ArrayList<>();
                    for (int qi = 0; qi < nq; qi++) {
                        float best = Float.POSITIVE_INFINITY;
                        for (int b = 0; b < nb; b++) {
                            if (rowTags[b] != queryTags[qi] && all[qi * nb + b] <= limits[qi]) {
                                best = Math.min(best, all[qi * nb + b]);
                            }
                        }
                        assertThat(min[qi]).as("%s q%d nearest", kernel.name(), qi).isEqualTo(best);
                        mins.add(Float.toString(min[qi]));
                    }
                    if (reference == null) {
                        reference = mins;
                    }
                    assertThat(mins).isEqualTo(reference);
                }
            }
        }
    }

    private static int sameTagWithin(float[] all, int nb, int[] rowTags, int[] queryTags, float[] limits) {
        int n = 0;
        for (int qi = 0; qi < queryTags.length; qi++) {
            for (int b = 0; b < nb; b++) {
                n += rowTags[b] == queryTags[qi] && all[qi * nb + b] <= limits[qi] ? 1 : 0;
            }
        }
        return n;
    }

    @Test
    void shouldMineIdenticalTripletsWithEitherKernelAndAnyParallelism() {
        // Given a clustered bank of 1200 entries in 12 labels, with overlapping classes so that hard and
        // semi-hard negatives exist, and 41 anchors
        Random rnd = new Random(5);
        int dim = 32;
        MemoryBank bank = new MemoryBank(dim, 100, 1200);
        float[][] centres = new float[12][];
        for (int c = 0; c < centres.length; c++) {
            centres[c] = DistancesTest.unitRows(rnd, 1, dim);
        }
        for (int i = 0; i < 1200; i++) {
            int label = i % 12;
            bank.put(label + "/" + i, new EmbeddedImage("b" + i, Integer.toString(label), "1",
                    near(rnd, centres[label], 1.2f), null, i));
        }
        List<EmbeddedImage> anchors = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            int label = rnd.nextInt(12);
            anchors.add(new EmbeddedImage("a" + i, Integer.toString(label), "1", near(rnd, centres[label], 1.2f),
                    null, i));
        }
        anchors.add(new EmbeddedImage("b7", "7", "1", near(rnd, centres[7], 1.2f), null, 0)); // its own bank entry
        for (MiningRules rules : List.of(MiningRules.defaults(),
                new MiningRules(0.2f, io.hardneg.config.MiningPolicy.SEMIHARD, 2, 3),
                new MiningRules(0.3f, io.hardneg.config.MiningPolicy.HARD, 3, 5))) {
            // When mined by the scalar kernel on one thread, and by the vector kernel on one and on four
            List<List<Triplet>> expected = new TripletMiner(rules, Distances.scalar(), 1).mine(bank, anchors);
            List<List<Triplet>> vector1 = new TripletMiner(rules, vector(), 1).mine(bank, anchors);
            List<List<Triplet>> vector4 = new TripletMiner(rules, vector(), 4).mine(bank, anchors);
            List<List<Triplet>> scalar4 = new TripletMiner(rules, Distances.scalar(), 4).mine(bank, anchors);
            // Then every decision is the same, and there were decisions to make
            assertThat(expected.stream().mapToInt(List::size).sum()).as("triplets mined").isGreaterThan(20);
            assertThat(describe(vector1)).isEqualTo(describe(expected));
            assertThat(describe(vector4)).isEqualTo(describe(expected));
            assertThat(describe(scalar4)).isEqualTo(describe(expected));
        }
    }

    @Test
    void shouldSplitALargeBatchAcrossWorkersWithoutChangingDecisions() {
        // Given a bank large enough to cross the parallel threshold (320 anchors × 20k rows: ten blocks, so the
        // workers split ranges and take blocks from each other's)
        Random rnd = new Random(9);
        int dim = 16;
        MemoryBank bank = new MemoryBank(dim, 2000, 20_000);
        float[][] centres = new float[10][];
        for (int c = 0; c < centres.length; c++) {
            centres[c] = DistancesTest.unitRows(rnd, 1, dim);
        }
        for (int i = 0; i < 20_000; i++) {
            bank.put(i % 10 + "/" + i, new EmbeddedImage("b" + i, Integer.toString(i % 10), "1",
                    near(rnd, centres[i % 10], 1.2f), null, i));
        }
        List<EmbeddedImage> anchors = new ArrayList<>();
        for (int i = 0; i < 320; i++) {
            anchors.add(new EmbeddedImage("a" + i, Integer.toString(i % 10), "1", near(rnd, centres[i % 10], 1.2f),
                    null, i));
        }
        assertThat((long) anchors.size() * bank.size()).isGreaterThanOrEqualTo(TripletMiner.PARALLEL_MIN_PAIRS);
        List<List<Triplet>> one = new TripletMiner(MiningRules.defaults(), Distances.scalar(), 1).mine(bank, anchors);
        List<List<Triplet>> two = new TripletMiner(MiningRules.defaults(), vector(), 2).mine(bank, anchors);
        assertThat(one.stream().mapToInt(List::size).sum()).as("triplets mined").isGreaterThan(20);
        assertThat(describe(two)).isEqualTo(describe(one));
        List<List<Triplet>> three = new TripletMiner(MiningRules.defaults(), vector(), 3).mine(bank, anchors);
        assertThat(describe(three)).isEqualTo(describe(one));
    }
}
