package io.hardneg.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import io.hardneg.error.ErrorCode;
import io.hardneg.error.InvalidInputException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class BoundedRunTest {

    private static final Duration LIMIT = Duration.ofMillis(200);

    @Test
    void shouldReportASpinningInputAsAHangOnceItHasUsedTheCpuBound() {
        try (BoundedRun run = new BoundedRun(LIMIT)) {
            // Given work that keeps a core busy until it is abandoned (interrupted, so it stops burning the core)
            long t0 = System.nanoTime();
            BoundedRun.Outcome out = run.run(() -> {
                long x = 0;
                while (!Thread.currentThread().isInterrupted()) {
                    x++;
                }
                return x;
            });
            // Then it is a hang, found from its CPU time, well before the wall-clock backstop
            assertThat(out.timedOut()).as("%s", out).isTrue();
            assertThat(out.cpuNanos()).isGreaterThanOrEqualTo(LIMIT.toNanos());
            assertThat(System.nanoTime() - t0).isLessThan(LIMIT.toNanos() * BoundedRun.WALL_FACTOR);
            // And the next input still runs on a fresh worker
            assertThat(run.run(() -> 1).decoded()).isTrue();
        }
    }

    @Test
    void shouldNotCountWallTimeWithoutCpuAsAHangBeforeTheBackstop() {
        try (BoundedRun run = new BoundedRun(LIMIT)) {
            // Given work that waits three times the bound without using the CPU (a starved or descheduled thread)
            BoundedRun.Outcome out = run.run(() -> {
                Thread.sleep(LIMIT.toMillis() * 3);
                return null;
            });
            // Then it is answered, its wall time above the bound and its CPU time below
            assertThat(out.decoded()).as("%s", out).isTrue();
            assertThat(out.nanos()).isGreaterThanOrEqualTo(LIMIT.toNanos() * 3);
            assertThat(out.cpuNanos()).isLessThan(LIMIT.toNanos());
        }
    }

    @Test
    void shouldReportAStuckInputAsAHangAtTheWallClockBackstop() {
        try (BoundedRun run = new BoundedRun(LIMIT)) {
            // Given work blocked forever on a lock that never opens (no CPU used)
            CountDownLatch never = new CountDownLatch(1);
            BoundedRun.Outcome out = run.run(() -> {
                never.await();
                return null;
            });
            // Then it is a hang after WALL_FACTOR × the bound
            assertThat(out.timedOut()).as("%s", out).isTrue();
            assertThat(out.nanos()).isGreaterThanOrEqualTo(LIMIT.toNanos() * BoundedRun.WALL_FACTOR);
        }
    }

    @Test
    void shouldTellRefusalsFromEscapes() {
        try (BoundedRun run = new BoundedRun(LIMIT)) {
            BoundedRun.Outcome refused = run.run(() -> {
                throw new InvalidInputException(ErrorCode.TRUNCATED, "cut");
            });
            BoundedRun.Outcome escaped = run.run(() -> {
                throw new IllegalStateException("bug");
            });
            assertThat(refused.code()).isEqualTo(ErrorCode.TRUNCATED);
            assertThat(refused.decoded()).isFalse();
            assertThat(escaped.escaped()).isInstanceOf(IllegalStateException.class);
            assertThat(escaped.code()).isNull();
        }
    }
}
