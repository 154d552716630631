package io.hardneg.fuzz;

import io.hardneg.error.ErrorCode;
import io.hardneg.error.InvalidInputException;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs one input through the code under test on a worker thread, with a bound that a hang cannot escape, and
 * measures the CPU time and the bytes (garbage included) that thread spent on it.
 *
 * <p>The bound is CPU time, not wall time: on a loaded machine (CI, or other builds on the same cores) a worker
 * can wait seconds for a core or a GC without doing anything wrong. A thread that has used the whole CPU bound
 * without answering is spinning; one that answers nothing for {@link #WALL_FACTOR} times the bound in wall time
 * is stuck (a wait or a lock, which uses no CPU). Either is reported as a hang.
 */
public final class BoundedRun implements AutoCloseable {

    /** What happened to one input: decoded (code null), refused with a code, or something escaped. */
    public record Outcome(ErrorCode code, Throwable escaped, long nanos, long cpuNanos, long allocatedBytes,
                          boolean timedOut) {

        public boolean decoded() {
            return code == null && escaped == null && !timedOut;
        }

        @Override
        public String toString() {
            return (timedOut ? "no answer (hang)" : escaped != null ? "escaped " + escaped
                    : code == null ? "decoded" : "refused " + code) + " in " + nanos / 1000 + " µs ("
                    + cpuNanos / 1000 + " µs CPU), allocated " + allocatedBytes + " bytes";
        }
    }

    /** A stuck thread is given this many times the CPU bound in wall time, so a busy machine is never a hang. */
    public static final int WALL_FACTOR = 12;
    private static final long POLL_MS = 50;
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private final Duration cpuLimit;
    private volatile Thread workerThread;
    private ExecutorService worker = newWorker();

    /** {@code cpuLimit}: the CPU time one input may take before it counts as a hang. */
    public BoundedRun(Duration cpuLimit) {
        this.cpuLimit = cpuLimit;
    }

    /**
     * Runs {@code work}; an {@link InvalidInputException} is a refusal, any other throwable has escaped.
     * Synchronized: one input at a time, so no input's time includes waiting behind another (jqwik may still be
     * shrinking a previous property on a thread of its own).
     */
    public synchronized Outcome run(Callable<?> work) {
        AtomicLong startCpu = new AtomicLong(-1);
        Future<Outcome> f = worker.submit(() -> {
            long a0 = THREADS.getCurrentThreadAllocatedBytes();
            long c0 = THREADS.getCurrentThreadCpuTime();
            startCpu.set(c0);
            long t0 = System.nanoTime();
            ErrorCode code = null;
            Throwable escaped = null;
            try {
                work.call();
            } catch (InvalidInputException e) {
                code = e.code();
            } catch (Throwable t) {
                // Errors too (OutOfMemoryError, StackOverflowError): on the stream thread they would kill it.
                escaped = t;
            }
            return new Outcome(code, escaped, System.nanoTime() - t0, THREADS.getCurrentThreadCpuTime() - c0,
                    THREADS.getCurrentThreadAllocatedBytes() - a0, false);
        });
        long wallDeadline = System.nanoTime() + cpuLimit.toNanos() * WALL_FACTOR;
        long t0 = System.nanoTime();
        while (true) {
            try {
                return f.get(POLL_MS, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                long c0 = startCpu.get();
                Thread t = workerThread;
                long cpu = c0 < 0 || t == null ? 0 : Math.max(0, THREADS.getThreadCpuTime(t.getId()) - c0);
                if (cpu >= cpuLimit.toNanos() || System.nanoTime() - wallDeadline >= 0) {
                    // The stuck thread cannot be stopped; abandon it (daemon) so the next inputs still run.
                    f.cancel(true);
                    worker.shutdownNow();
                    worker = newWorker();
                    return new Outcome(null, null, System.nanoTime() - t0, cpu, 0, true);
                }
            } catch (ExecutionException e) {
                return new Outcome(null, e.getCause(), 0, 0, 0, false);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
    }

    private ExecutorService newWorker() {
        return Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "fuzz-worker");
            t.setDaemon(true);
            workerThread = t;
            return t;
        });
    }

    @Override
    public synchronized void close() {
        worker.shutdownNow();
    }
}
