package io.hardneg.mining;

import static org.assertj.core.api.Assertions.assertThat;

import io.hardneg.config.MiningPolicy;
import java.util.List;
import org.junit.jupiter.api.Test;

class TripletMinerTest {

    private static final float ALPHA = 0.2f;

    /**
     * A unit vector in the (x, y) plane at squared distance {@code d} from (1, 0): d = 2 − 2cosθ.
     * Distances chosen as exact binary fractions so that boundaries are hit exactly.
     */
    private static float[] atDistance(double d) {
        double cos = 1 - d / 2;
        return new float[] {(float) cos, (float) Math.sqrt(Math.max(0, 1 - cos * cos)), 0, 0};
    }

    private static final float[] ANCHOR = {1, 0, 0, 0};

    private static MemoryBank bank(Object[]... entries) {
        MemoryBank bank = new MemoryBank(4, 16, 64);
        int slot = 0;
        for (Object[] e : entries) {
            String id = (String) e[0];
            String label = (String) e[1];
            // Explicit slots: hashed ones may collide and overwrite each other, as compaction would.
            bank.put(label + "/" + slot++, new EmbeddedImage(id, label, (String) e[3], (float[]) e[2], null, 0));
        }
        return bank;
    }

    private static List<Triplet> mine(MiningRules rules, MemoryBank bank, String version) {
        TripletMiner miner = new TripletMiner(rules, Distances.create());
        return miner.mine(bank, List.of(new EmbeddedImage("a", "cat", version, ANCHOR, null, 0))).get(0);
    }

    private static float distance(float[] x) {
        float dot = 0;
        for (int i = 0; i < x.length; i++) {
            dot += x[i] * ANCHOR[i];
        }
        return ScalarDistances.distance(dot);
    }

    @Test
    void shouldClassifyGapBoundariesExactly() {
        assertThat(TripletKind.of(-1e-7f, ALPHA)).isEqualTo(TripletKind.HARD);
        assertThat(TripletKind.of(0f, ALPHA)).isEqualTo(TripletKind.SEMIHARD);
        assertThat(TripletKind.of(Math.nextDown(ALPHA), ALPHA)).isEqualTo(TripletKind.SEMIHARD);
        assertThat(TripletKind.of(ALPHA, ALPHA)).isEqualTo(TripletKind.EASY);
    }

    @Test
    void shouldFlagSemiHardNegativeWhenGapUnderAlpha() {
        // Given a positive at d=0.5 and a negative at d=0.625 (gap 0.125 < α)
        float[] pos = atDistance(0.5);
        float[] neg = atDistance(0.625);
        MemoryBank bank = bank(new Object[] {"p", "cat", pos, "1"}, new Object[] {"n", "dog", neg, "1"});
        // When mined with policy all
        List<Triplet> t = mine(MiningRules.defaults(), bank, "1");
        // Then one semi-hard triplet whose gap is d(a,n) - d(a,p) recomputed here
        assertThat(t).hasSize(1);
        assertThat(t.get(0).kind()).isEqualTo(TripletKind.SEMIHARD);
        assertThat(t.get(0).gap()).isEqualTo(distance(neg) - distance(pos));
        assertThat(t.get(0).positive().id()).isEqualTo("p");
        assertThat(t.get(0).negative().id()).isEqualTo("n");
    }

    @Test
    void shouldTreatGapZeroAsSemiHardAndGapAlphaAsEasy() {
        float[] pos = atDistance(0.5);
        MemoryBank bank = bank(new Object[] {"p", "cat", pos, "1"},
                new Object[] {"same", "dog", pos.clone(), "1"});
        List<Triplet> t = mine(new MiningRules(ALPHA, MiningPolicy.HARD, 1, 3), bank, "1");
        assertThat(t).as("gap = 0 is not hard").isEmpty();
        t = mine(new MiningRules(ALPHA, MiningPolicy.SEMIHARD, 1, 3), bank, "1");
        assertThat(t).hasSize(1);
        assertThat(t.get(0).gap()).isZero();

        // A negative whose recomputed gap is exactly α is easy and never published.
        float[] neg = atDistance(0.75);
        float gap = distance(neg) - distance(pos);
        MemoryBank easy = bank(new Object[] {"p", "cat", pos, "1"}, new Object[] {"n", "dog", neg, "1"});
        List<Triplet> e = mine(new MiningRules(gap, MiningPolicy.ALL, 1, 3), easy, "1");
        assertThat(e).isEmpty();
        List<Triplet> justUnder = mine(new MiningRules(Math.nextUp(gap), MiningPolicy.ALL, 1, 3), easy, "1");
        assertThat(justUnder).hasSize(1);
    }

    @Test
    void shouldRespectPolicy() {
        MemoryBank bank = bank(new Object[] {"p", "cat", atDistance(1.0), "1"},
                new Object[] {"hard", "dog", atDistance(0.5), "1"},
                new Object[] {"semi", "dog", atDistance(1.0625), "1"},
                new Object[] {"easy", "dog", atDistance(2.0), "1"});
        assertThat(mine(new MiningRules(ALPHA, MiningPolicy.HARD, 1, 3), bank, "1"))
                .extracting(x -> x.negative().id()).containsExactly("hard");
        assertThat(mine(new MiningRules(ALPHA, MiningPolicy.SEMIHARD, 1, 3), bank, "1"))
                .extracting(x -> x.negative().id()).containsExactly("semi");
        assertThat(mine(new MiningRules(ALPHA, MiningPolicy.ALL, 1, 3), bank, "1"))
                .extracting(x -> x.negative().id()).containsExactly("hard", "semi");
    }

    @Test
    void shouldCapNegativesPerPositiveHardestFirstAndTakeFarthestPositives() {
        MemoryBank bank = bank(new Object[] {"p-near", "cat", atDistance(0.25), "1"},
                new Object[] {"p-far", "cat", atDistance(1.5), "1"},
                new Object[] {"n1", "dog", atDistance(0.125), "1"},
                new Object[] {"n2", "dog", atDistance(0.375), "1"},
                new Object[] {"n3", "dog", atDistance(0.5), "1"},
                new Object[] {"n4", "dog", atDistance(0.75), "1"},
                new Object[] {"n5", "bird", atDistance(1.0), "1"});
        List<Triplet> t = mine(new MiningRules(ALPHA, MiningPolicy.ALL, 1, 3), bank, "1");
        assertThat(t).extracting(x -> x.positive().id()).containsOnly("p-far");
        assertThat(t).extracting(x -> x.negative().id()).containsExactly("n1", "n2", "n3");
        List<Triplet> two = mine(new MiningRules(ALPHA, MiningPolicy.ALL, 2, 2), bank, "1");
        // p-near (d=0.25): n1 is hard (gap -0.125), n2 semi-hard (0.125), n3 easy (0.25 = α + 0.05)
        assertThat(two).extracting(x -> x.positive().id()).containsExactly("p-far", "p-far", "p-near", "p-near");
        assertThat(two).extracting(x -> x.negative().id()).containsExactly("n1", "n2", "n1", "n2");
    }

    @Test
    void shouldNeverCompareEmbeddingsOfAnotherModelVersion() {
        MemoryBank bank = bank(new Object[] {"p-old", "cat", atDistance(1.0), "1"},
                new Object[] {"n-old", "dog", atDistance(0.5), "1"},
                new Object[] {"p-new", "cat", atDistance(1.0), "2"});
        assertThat(mine(MiningRules.defaults(), bank, "2")).isEmpty();
        assertThat(mine(MiningRules.defaults(), bank, "1")).hasSize(1);
    }

    @Test
    void shouldNotUseTheAnchorAsItsOwnPositiveNorMineUnlabeledAnchors() {
        MemoryBank bank = bank(new Object[] {"a", "cat", ANCHOR.clone(), "1"},
                new Object[] {"n", "dog", atDistance(0.5), "1"});
        assertThat(mine(MiningRules.defaults(), bank, "1")).isEmpty();
        TripletMiner miner = new TripletMiner(MiningRules.defaults(), Distances.create());
        assertThat(miner.mine(bank, List.of(new EmbeddedImage("u", null, "1", ANCHOR, null, 0))).get(0)).isEmpty();
    }
}
