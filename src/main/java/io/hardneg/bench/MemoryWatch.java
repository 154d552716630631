package io.hardneg.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Peak heap (sum of the heap pools' peaks), peak and current RSS, threads and open files of this process. */
final class MemoryWatch {

    private MemoryWatch() {
    }

    /** Stage 8: peak heap, peak RSS and {@code -Xmx}, in MiB. */
    record Figures(double peakHeapMb, double peakRssMb, double maxHeapMb) implements BenchFigures {
        @Override
        public void writeTo(Map<String, Object> json) {
            json.put("peak_heap_mb", Stats.round(peakHeapMb));
            json.put("peak_rss_mb", Stats.round(peakRssMb));
            json.put("max_heap_mb", Stats.round(maxHeapMb));
        }
    }

    /** The peaks so far. */
    static Figures figures() {
        return new Figures(peakHeapMb(), peakRssMb(), Runtime.getRuntime().maxMemory() / 1048576.0);
    }

    static double peakHeapMb() {
        long sum = 0;
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getType() == MemoryType.HEAP && p.getPeakUsage() != null) {
                sum += p.getPeakUsage().getUsed();
            }
        }
        return sum / 1048576.0;
    }

    /** Peak resident set size, or NaN where /proc is missing. */
    static double peakRssMb() {
        return status("VmHWM:") / 1024.0;
    }

    /** Resident set size now, or NaN where /proc is missing. */
    static double rssMb() {
        return status("VmRSS:") / 1024.0;
    }

    /** The process's threads as the kernel counts them (native ones, such as ONNX Runtime's, included). */
    static int threads() {
        double n = status("Threads:");
        return Double.isNaN(n) ? ManagementFactory.getThreadMXBean().getThreadCount() : (int) n;
    }

    /** Open file descriptors (sockets, log segments, ...), or -1 where /proc is missing. */
    static int openFds() {
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            return (int) fds.count() - 1; // the listing's own descriptor
        } catch (IOException | UncheckedIOException e) {
            return -1;
        }
    }

    /** The number on the {@code /proc/self/status} line starting with {@code key}, or NaN. */
    private static double status(String key) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(key)) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | NumberFormatException e) {
            // not Linux
        }
        return Double.NaN;
    }
}
