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
    void shouldNotSuspectAnAnchorCloserToItsOwnClass() {
        MemoryBank bank = new MemoryBank(2, 100, 1000);
        bank.put("a/p", img("p", "a", 0.05));
        for (int i = 0; i < 5; i++) {
            bank.put("b/n" + i, img("n" + i, "b", 0.1));
        }
        assertThat(detect(bank, 0f, 5, 0.2)).isNull();
    }
}
