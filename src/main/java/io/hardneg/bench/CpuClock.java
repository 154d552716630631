package io.hardneg.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;

/**
 * CPU time used by this whole process (broker, clients, stream threads, ONNX Runtime's native threads).
 *
 * <p>On a shared machine wall-clock rates move with the neighbours' load; the CPU this process spends per image
 * moves less (time the hypervisor gives to others is not counted, though a busy neighbour still slows ours),
 * so stages report both.
 */
final class CpuClock {

    private CpuClock() {
    }

    /** Process CPU time in nanoseconds, or -1 where the JVM does not say. */
    static long processNanos() {
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        return os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getProcessCpuTime() : -1;
    }

    /** Cores busy between two readings {@code seconds} apart; NaN when either reading is missing. */
    static double cores(long cpu0, long cpu1, double seconds) {
        return cpu0 < 0 || cpu1 < 0 || !(seconds > 0) ? Double.NaN : (cpu1 - cpu0) / 1e9 / seconds;
    }

    /** Microseconds of CPU per item between two readings; NaN when either reading or the count is missing. */
    static double usPerItem(long cpu0, long cpu1, long items) {
        return cpu0 < 0 || cpu1 < 0 || items <= 0 ? Double.NaN : (cpu1 - cpu0) / 1e3 / items;
    }
}
