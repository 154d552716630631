package io.hardneg.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
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

    @Test
    void shouldWaitUntilTheConditionHoldsAndGiveUpAfterTheTimeout() throws Exception {
        // Given a condition that holds on its third poll
        AtomicInteger polls = new AtomicInteger();
        // Then the wait returns true once it holds, having polled until then
        assertThat(BenchApps.awaitTrue(Duration.ofSeconds(5), () -> polls.incrementAndGet() >= 3)).isTrue();
        assertThat(polls.get()).isEqualTo(3);
        // And a condition that never holds is given up on after the timeout, not before it
        long t0 = System.nanoTime();
        assertThat(BenchApps.awaitTrue(Duration.ofMillis(200), () -> false)).isFalse();
        assertThat((System.nanoTime() - t0) / 1e6).isGreaterThanOrEqualTo(200);
    }

    @Test
    void shouldWaitUntilTheStateHasStoppedChangingForTheQuietTime() throws Exception {
        // Given a state that changes on each of its first five reads (as tasks move) and then stays
        AtomicInteger reads = new AtomicInteger();
        long t0 = System.nanoTime();
        assertThat(BenchApps.awaitUnchanged(() -> Math.min(reads.incrementAndGet(), 5), Duration.ofMillis(300),
                Duration.ofSeconds(5))).isTrue();
        // Then the wait returns only after the last change and a quiet time past it: four changes 50 ms apart, then
        // 300 ms without one
        assertThat((System.nanoTime() - t0) / 1e6).isGreaterThanOrEqualTo(500);
        // And a state that never settles is given up on after the timeout
        AtomicInteger moving = new AtomicInteger();
        assertThat(BenchApps.awaitUnchanged(moving::incrementAndGet, Duration.ofMillis(300), Duration.ofMillis(400)))
                .isFalse();
    }
}
