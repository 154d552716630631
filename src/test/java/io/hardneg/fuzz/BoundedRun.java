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

/**
 * Runs one input through the code under test on a worker thread, with a time bound that a hang cannot escape, and
 * measures what that thread allocated (every byte, garbage included) while doing it.
 */
public final class BoundedRun implements AutoCloseable {

    /** What happened to one input: decoded (code null), refused with a code, or something escaped. */
    public record Outcome(ErrorCode code, Throwable escaped, long nanos, long allocatedBytes, boolean timedOut) {

        public boolean decoded() {
            return code == null && escaped == null && !timedOut;
        }

        @Override
        public String toString() {
            return (timedOut ? "no answer (hang)" : escaped != null ? "escaped " + escaped
                    : code == null ? "decoded" : "refused " + code) + " in " + nanos / 1000 + " µs, allocated "
                    + allocatedBytes + " bytes";
        }
    }

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private final Duration limit;
    private ExecutorService worker = newWorker();

    public BoundedRun(Duration limit) {
        this.limit = limit;
    }

    /** Runs {@code work}; an {@link InvalidInputException} is a refusal, any other throwable has escaped. */
    public Outcome run(Callable<?> work) {
        Future<Outcome> f = worker.submit(() -> {
            long a0 = THREADS.getCurrentThreadAllocatedBytes();
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
            return new Outcome(code, escaped, System.nanoTime() - t0, THREADS.getCurrentThreadAllocatedBytes() - a0,
                    false);
        });
        try {
            return f.get(limit.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            // The stuck thread cannot be stopped; abandon it (daemon) so the next inputs still run.
            f.cancel(true);
            worker.shutdownNow();
            worker = newWorker();
            return new Outcome(null, null, limit.toNanos(), 0, true);
        } catch (ExecutionException e) {
            return new Outcome(null, e.getCause(), 0, 0, false);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static ExecutorService newWorker() {
        return Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "fuzz-worker");
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public void close() {
        worker.shutdownNow();
    }
}
