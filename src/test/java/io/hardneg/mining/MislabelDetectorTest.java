package io.hardneg.mining;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class MislabelDetectorTest {

    private static float[] at(double angle) {
        return new float[] {(float) Math.cos(angle), (float) Math.sin(angle)};
    }

    private static EmbeddedImage img(String id, String label, double angle) {
        return new EmbeddedImage(id, label, "1", at(angle), null, 0);
    }

    private static float d(double a, double b) {
        float[] out = new float[1];
        Distances.create().squaredL2(at(a), 1, at(b), 1, 2, out);
        return out[0];
    }

    /** Anchor "x" labelled a at angle 0; one positive (a) at 2.0 rad; negatives at 0.1 rad with the given labels. */
    private static MemoryBank bank(String... negativeLabels) {
        MemoryBank bank = new MemoryBank(2, 100, 1000);
        bank.put("a/p", img("p", "a", 2.0));
        for (int i = 0; i < negativeLabels.length; i++) {
            bank.put(negativeLabels[i] + "/n" + i, img("n" + i, negativeLabels[i], 0.1));
        }
        return bank;
    }

    private static MislabelDetector.Suspicion detect(MemoryBank bank, float tau, int k, double agreement) {
        return new MislabelDetector(new MislabelDetector.Rules(tau, k, agreement), Distances.create())
                .detect(bank, List.of(img("x", "a", 0))).get(0);
    }

    @Test
    void shouldSuspectAnAnchorDeepInsideOneOtherClass() {
        // Given five negatives of class b much closer than the only positive
        MislabelDetector.Suspicion s = detect(bank("b", "b", "b", "b", "b"), 0.5f, 5, 0.8);
        // Then the anchor is suspect, class b suggested, with the evidence
        assertThat(s).isNotNull();
        assertThat(s.suggestedLabel()).isEqualTo("b");
        assertThat(s.votes()).isEqualTo(5);
        assertThat(s.negatives()).hasSize(5);
        assertThat(s.positives()).extracting(MislabelDetector.Neighbour::id).containsExactly("p");
        assertThat(s.meanPositiveDistance()).isEqualTo(d(0, 2.0));
    }

    @Test
    void shouldNotCountANegativeWhoseGapIsExactlyMinusTau() {
        float gapMagnitude = d(0, 2.0) - d(0, 0.1);
        assertThat(detect(bank("b", "b", "b"), gapMagnitude, 3, 1.0)).as("gap == -tau is not below -tau").isNull();
        assertThat(detect(bank("b", "b", "b"), Math.nextDown(gapMagnitude), 3, 1.0)).as("just below").isNotNull();
    }

    @Test
    void shouldSuspectAtExactlyTheAgreementAndNotOneVoteBelow() {
        // 3 of 5 agree on b: agreement 0.6 needs ceil(3.0) = 3 votes
        assertThat(detect(bank("b", "b", "b", "c", "d"), 0.5f, 5, 0.6)).isNotNull();
        assertThat(detect(bank("b", "b", "c", "c", "d"), 0.5f, 5, 0.6)).as("best label has 2 of 3 needed").isNull();
        assertThat(detect(bank("b", "b", "b", "c", "d"), 0.5f, 5, 0.61)).as("0.61·5 rounds up to 4").isNull();
    }

    @Test
    void shouldNotJudgeWithoutAPositiveOrWithFewerThanKNegatives() {
        assertThat(detect(bank("b", "b", "b", "b"), 0.5f, 5, 0.8)).as("4 negatives, k = 5").isNull();
        MemoryBank noPositive = new MemoryBank(2, 100, 1000);
        for (int i = 0; i < 5; i++) {
            noPositive.put("b/n" + i, img("n" + i, "b", 0.1));
        }
        noPositive.put("a/x", img("x", "a", 0)); // the anchor itself is not its own positive
        assertThat(detect(noPositive, 0.5f, 5, 0.8)).isNull();
    }

    @Test
    void shouldNotJudgeUntilTheBankHoldsMinPositivesRowsOfTheAnchorsLabel() {
        // Given five b negatives deep inside, and three positives of a, one of them of another model version, plus
        // the anchor's own entry (a replay), which is no positive
        MemoryBank bank = bank("b", "b", "b", "b", "b");
        bank.put("a/p1", img("p1", "a", 2.1));
        bank.put("a/old", new EmbeddedImage("old", "a", "0", at(2.2), null, 0));
        bank.put("a/x", img("x", "a", 0));
        MislabelDetector.Suspicion one = judge(bank, 1);
        // Then it is suspect with up to two positives counted (p, p1), and not once three are required
        assertThat(one).isNotNull();
        assertThat(judge(bank, 2)).isNotNull();
        assertThat(judge(bank, 3)).as("the old version and the anchor itself do not count").isNull();
        // And a third current positive lets it be judged again, past k too (k = 5, 6 required)
        bank.put("a/p2", img("p2", "a", 2.3));
        assertThat(judge(bank, 3)).isNotNull();
        for (int i = 0; i < 3; i++) {
            bank.put("a/q" + i, img("q" + i, "a", 2.4));
        }
        assertThat(judge(bank, 6)).isNotNull();
        assertThat(judge(bank, 7)).isNull();
    }

    private static MislabelDetector.Suspicion judge(MemoryBank bank, int minPositives) {
        return new MislabelDetector(new MislabelDetector.Rules(0.5f, 5, 0.8, minPositives), Distances.create())
                .detect(bank, List.of(img("x", "a", 0))).get(0);
    }

    @Test
    void shouldRefuseAMinPositivesBelowOne() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new MislabelDetector.Rules(0.5f, 5, 0.8, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("minPositives");
        assertThat(new MislabelDetector.Rules(0.5f, 5, 0.8).minPositives()).isEqualTo(1);
    }

    @Test
    void shouldNotSuspectAnAnchorCloserToItsOwnClass() {
        MemoryBank bank = new MemoryBank(2, 100, 1000);
        bank.put("a/p", img("p", "a", 0.05));
        for (int i = 0; i < 5; i++) {
            bank.put("b/n" + i, img("n" + i, "b", 0.1));
        }
        assertThat(detect(bank, 0f, 5, 0.2)).isNull();
    }
}
