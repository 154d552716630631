package io.hardneg.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * CPU time per OS thread of this process, from {@code /proc/self/task}: native threads included.
 *
 * <p>JFR sees only Java frames; ONNX Runtime's intra-op threads and the JIT's compiler threads are invisible to it,
 * and on 2 cores they decide where the time goes.
 */
final class ThreadCpu {

    private static final Path TASKS = Path.of("/proc/self/task");

    /** Linux's clock ticks per second for {@code stat} times (USER_HZ: 100 on x86 and arm64 alike). */
    static final long USER_HZ = 100;

    /** CPU ticks per thread id, with the thread's name; empty where /proc is missing. */
    record Snapshot(Map<String, Long> ticks, Map<String, String> names) {
    }

    private ThreadCpu() {
    }

    static Snapshot snapshot() {
        Map<String, Long> ticks = new HashMap<>();
        Map<String, String> names = new HashMap<>();
        if (!Files.isDirectory(TASKS)) {
            return new Snapshot(ticks, names);
        }
        try (Stream<Path> tasks = Files.list(TASKS)) {
            tasks.forEach(t -> {
                try {
                    String stat = Files.readString(t.resolve("stat"));
                    parse(t.getFileName().toString(), stat, ticks, names);
                } catch (IOException | RuntimeException gone) {
                    // the thread ended between the listing and the read
                }
            });
        } catch (IOException e) {
            return new Snapshot(Map.of(), Map.of());
        }
        return new Snapshot(ticks, names);
    }

    /** One {@code stat} line: the name sits in parentheses and may hold spaces; utime and stime follow it. */
    static void parse(String tid, String stat, Map<String, Long> ticks, Map<String, String> names) {
        int open = stat.indexOf('(');
        int close = stat.lastIndexOf(')');
        String[] f = stat.substring(close + 2).trim().split(" ");
        // Fields after the name start at field 3 (state); utime and stime are fields 14 and 15.
        ticks.put(tid, Long.parseLong(f[11]) + Long.parseLong(f[12]));
        names.put(tid, stat.substring(open + 1, close));
    }

    /** Cores used between two snapshots by the threads whose OS name passes {@code name}. */
    static double cores(Snapshot a, Snapshot b, double seconds, long ticksPerSecond, Predicate<String> name) {
        long ticks = 0;
        for (Map.Entry<String, Long> t : b.ticks().entrySet()) {
            if (name.test(b.names().get(t.getKey()))) {
                ticks += t.getValue() - a.ticks().getOrDefault(t.getKey(), 0L);
            }
        }
        return seconds > 0 ? ticks / (double) ticksPerSecond / seconds : Double.NaN;
    }

    /** HotSpot's garbage collector threads: G1's workers, concurrent markers, refinement and service threads. */
    static boolean isGcThread(String name) {
        return name.startsWith("GC Thread") || name.startsWith("G1 ");
    }

    /**
     * Cores used between two snapshots, per thread name with digits folded (one entry for all
     * {@code C2 CompilerThread0..n}), largest first, at most {@code top} entries.
     */
    static Map<String, Double> coresByName(Snapshot a, Snapshot b, double seconds, long ticksPerSecond, int top) {
        Map<String, Long> byName = new HashMap<>();
        b.ticks().forEach((tid, t) -> byName.merge(b.names().get(tid).replaceAll("[0-9]+", "N"),
                t - a.ticks().getOrDefault(tid, 0L), Long::sum));
        Map<String, Double> out = new LinkedHashMap<>();
        byName.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .limit(top)
                .forEach(e -> out.put(e.getKey(), Math.round(e.getValue() / (double) ticksPerSecond / seconds * 100)
                        / 100.0));
        return out;
    }
}
