package io.hardneg.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BenchAppsTest {

    @Test
    void shouldCallTasksSpreadOnlyWhenEveryInstanceHoldsAnEvenShare() {
        // Given the active task counts of each instance of one group, as a rebalance leaves them
        // Then only an even split counts: each instance within one task of tasks / instances
        assertThat(BenchApps.isSpread(new int[] {2, 2})).isTrue();
        assertThat(BenchApps.isSpread(new int[] {2, 1, 1})).isTrue();
        assertThat(BenchApps.isSpread(new int[] {1, 1, 1, 1, 0, 0})).isTrue();
        // A newcomer still empty, or holding less than its share, is not spread yet
        assertThat(BenchApps.isSpread(new int[] {4, 0})).isFalse();
        assertThat(BenchApps.isSpread(new int[] {3, 1})).isFalse();
        // With more instances than tasks, one instance holding two while others idle is not even
        assertThat(BenchApps.isSpread(new int[] {2, 1, 1, 0, 0, 0})).isFalse();
        // Before any assignment there is nothing to measure
        assertThat(BenchApps.isSpread(new int[] {0, 0})).isFalse();
    }
}
