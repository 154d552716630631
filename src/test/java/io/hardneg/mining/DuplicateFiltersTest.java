package io.hardneg.mining;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DuplicateFiltersTest {

    private static final byte[] A = {1, 2, 3};
    private static final byte[] B = {4, 5, 6};
    private static final byte[] C = {7, 8, 9};

    @Test
    void shouldFlagTheSameContentUnderAnotherIdButNotAReplayOfTheSameId() {
        DuplicateFilter f = new DuplicateFilter(10);
        assertThat(f.isDuplicate("x", A)).isFalse();
        assertThat(f.isDuplicate("x", A)).as("same id again: a replay").isFalse();
        assertThat(f.isDuplicate("y", A)).as("same bytes, other id").isTrue();
        assertThat(f.isDuplicate("z", B)).isFalse();
    }

    @Test
    void shouldForgetContentBeyondTheWindow() {
        DuplicateFilter f = new DuplicateFilter(2);
        f.isDuplicate("a", A);
        f.isDuplicate("b", B);
        assertThat(f.isDuplicate("a2", A)).as("still within a window of 2").isTrue();
        f.isDuplicate("c", C); // evicts the least recently seen: B
        assertThat(f.size()).isEqualTo(2);
        assertThat(f.isDuplicate("b2", B)).as("B left the window").isFalse();
        assertThat(new DuplicateFilter(0).isDuplicate("q", A)).as("window 0 = off").isFalse();
    }

    @Test
    void shouldSkipANegativeWithinEpsilonInclusiveAndAdmitOneJustBeyond() {
        NearDuplicateFilter f = new NearDuplicateFilter(0.25f, 4, 100);
        f.published("shirt", "a1", "n1", new float[] {0f, 0f});
        assertThat(f.isNearDuplicate("shirt", "a2", "n2", new float[] {0.5f, 0f})).as("d = 0.25 = eps").isTrue();
        assertThat(f.isNearDuplicate("shirt", "a2", "n2", new float[] {0.51f, 0f})).as("d = 0.2601 > eps").isFalse();
        assertThat(f.isNearDuplicate("coat", "a2", "n2", new float[] {0f, 0f})).as("another anchor label").isFalse();
        assertThat(f.isNearDuplicate("shirt", "a1", "n1", new float[] {0f, 0f})).as("its own replay").isFalse();
        assertThat(f.isNearDuplicate("shirt", "a9", "n9", null)).as("left the bank: cannot judge").isFalse();
    }

    @Test
    void shouldRememberOnlyTheLastWindowNegativesPerLabel() {
        NearDuplicateFilter f = new NearDuplicateFilter(0.01f, 2, 100);
        f.published("shirt", "a", "n0", new float[] {0f, 0f});
        f.published("shirt", "a", "n1", new float[] {1f, 0f});
        f.published("shirt", "a", "n2", new float[] {2f, 0f});
        assertThat(f.isNearDuplicate("shirt", "b", "m", new float[] {0f, 0f})).as("n0 pushed out").isFalse();
        assertThat(f.isNearDuplicate("shirt", "b", "m", new float[] {2f, 0f})).isTrue();
        assertThat(new NearDuplicateFilter(0f, 2, 100).enabled()).as("epsilon 0 = off").isFalse();
    }
}
