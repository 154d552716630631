package io.hardneg.bench;

import io.hardneg.stream.StageTimer;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The bench's {@link StageTimer}: thread CPU time per part, summed over the threads that run the processor, less
 * what reading the clock itself costs.
 */
final class ThreadCpuStageTimer implements StageTimer {

    private static final StageTimer.Part[] PARTS = StageTimer.Part.values();

    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private final AtomicLongArray nanos = new AtomicLongArray(PARTS.length);
    /** What one interval between two back-to-back readings measures: the clock's own cost, taken off each lap. */
    private final long readingCost;

    ThreadCpuStageTimer() {
        if (threads.isThreadCpuTimeSupported() && !threads.isThreadCpuTimeEnabled()) {
            threads.setThreadCpuTimeEnabled(true);
        }
        this.readingCost = calibrate();
    }

    /** The median of back-to-back readings' differences (a few microseconds where the clock is a slow syscall). */
    private long calibrate() {
        long[] d = new long[201];
        for (int i = 0; i < d.length; i++) {
            long a = threads.getCurrentThreadCpuTime();
            d[i] = threads.getCurrentThreadCpuTime() - a;
        }
        Arrays.sort(d);
        return Math.max(0, d[d.length / 2]);
    }

    long readingCostNanos() {
        return readingCost;
    }

    @Override
    public boolean enabled() {
        return true;
    }

    @Override
    public long start() {
        return threads.getCurrentThreadCpuTime();
    }

    @Override
    public long lap(Part part, long since, int weight) {
        long now = threads.getCurrentThreadCpuTime();
        nanos.addAndGet(part.ordinal(), weight * Math.max(0, now - since - readingCost));
        return now;
    }

    @Override
    public void add(Part part, long n) {
        nanos.addAndGet(part.ordinal(), n);
    }

    /** Nanoseconds charged to each part so far, indexed by {@link StageTimer.Part#ordinal()}. */
    long[] totals() {
        long[] t = new long[PARTS.length];
        for (int i = 0; i < t.length; i++) {
            t[i] = nanos.get(i);
        }
        return t;
    }
}
