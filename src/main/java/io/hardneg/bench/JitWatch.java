package io.hardneg.bench;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayDeque;
import java.util.function.LongSupplier;

/**
 * How busy the JIT has been lately, so that a warm-up can last until the compilers are quiet.
 *
 * <p>On two cores a C2 compiler thread at work takes half the machine: a stage measured while it compiles
 * measures the JIT, and a latency window in which it compiles the broker's code shows stalls no steady-state
 * service has.
 */
final class JitWatch {

    /** Compiling on less than a tenth of a core counts as quiet: a few small late compilations. */
    static final double QUIET_CORES = 0.1;

    private final double windowSeconds;
    private final LongSupplier compileMillis;
    private final ArrayDeque<double[]> readings = new ArrayDeque<>();
    private double lastCores = Double.NaN;

    /** Watches this JVM's JIT over windows of {@code windowSeconds}. */
    JitWatch(double windowSeconds) {
        this(windowSeconds, JitWatch::totalCompileMillis);
    }

    /** Watches {@code compileMillis} (total compile time so far; negative where unknown). */
    JitWatch(double windowSeconds, LongSupplier compileMillis) {
        this.windowSeconds = windowSeconds;
        this.compileMillis = compileMillis;
    }

    /** This JVM's total compile time in milliseconds, or -1 where the JVM does not measure it. */
    static long totalCompileMillis() {
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        return jit != null && jit.isCompilationTimeMonitoringSupported() ? jit.getTotalCompilationTime() : -1;
    }

    /**
     * Takes a reading at {@code seconds} (any monotonic origin) and returns the cores spent compiling over the last
     * full window; NaN until a window has passed or where compile time is unknown.
     */
    double sample(double seconds) {
        long ms = compileMillis.getAsLong();
        if (ms < 0) {
            return Double.NaN;
        }
        readings.addLast(new double[] {seconds, ms});
        // Keep the newest reading that is at least a window old as the window's start.
        while (readings.size() > 2) {
            double[] first = readings.pollFirst();
            if (readings.peekFirst()[0] > seconds - windowSeconds) {
                readings.addFirst(first);
                break;
            }
        }
        double[] oldest = readings.peekFirst();
        double span = seconds - oldest[0];
        lastCores = span >= windowSeconds ? (ms - oldest[1]) / 1000.0 / span : Double.NaN;
        return lastCores;
    }

    /**
     * Whether the last full window compiled on less than {@link #QUIET_CORES}: false before a full window, true
     * where compile time is unknown (nothing to wait for).
     */
    boolean quiet() {
        return compileMillis.getAsLong() < 0 || lastCores < QUIET_CORES;
    }

    /** Cores spent compiling between two totals taken {@code seconds} apart; NaN where either is unknown. */
    static double cores(long ms0, long ms1, double seconds) {
        return ms0 < 0 || ms1 < 0 || seconds <= 0 ? Double.NaN : (ms1 - ms0) / 1000.0 / seconds;
    }
}
