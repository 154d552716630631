package io.hardneg.bench;

import io.hardneg.stream.StageTimer;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Where the pipeline's CPU per image went: the processor's parts from {@link ThreadCpuStageTimer}, plus the helper
 * threads that work for them (the common pool decodes, {@code hardneg-mining} mines, ONNX Runtime's unnamed native
 * threads infer), the JVM's compilers and collector as {@code jvm}, and the rest — Kafka (broker, clients, Kafka
 * Streams' own work on the stream thread) and the bench's own counting consumer — as {@code kafka_and_other}, so
 * that the parts add up to the process's CPU.
 */
final class CpuByStage {

    /** The residual's key. */
    static final String REST = "kafka_and_other";
    /** The JIT compilers' and the garbage collector's threads. */
    static final String JVM = "jvm";

    private CpuByStage() {
    }

    /** CPU nanoseconds of the helper threads over the window, by the part they work for, and of the JVM's own. */
    record Helpers(long decode, long inference, long mining, long jvm) {

        /** From per-thread CPU between two snapshots of {@code /proc/self/task}. */
        static Helpers between(ThreadCpu.Snapshot a, ThreadCpu.Snapshot b, double seconds) {
            return new Helpers(nanos(a, b, seconds, n -> n.startsWith("ForkJoinPool.co")),
                    nanos(a, b, seconds, "java"::equals), nanos(a, b, seconds, n -> n.startsWith("hardneg-mining")),
                    nanos(a, b, seconds, n -> n.contains("CompilerThre") || ThreadCpu.isGcThread(n)));
        }

        private static long nanos(ThreadCpu.Snapshot a, ThreadCpu.Snapshot b, double seconds,
                                  java.util.function.Predicate<String> name) {
            double cores = ThreadCpu.cores(a, b, seconds, ThreadCpu.USER_HZ, name);
            return Double.isNaN(cores) ? 0 : Math.round(cores * seconds * 1e9);
        }
    }

    /**
     * Microseconds per image by part, in {@link StageTimer.Part} order, then the rest; empty without images or
     * process CPU. {@code parts} are the timer's totals over the window, {@code processNanos} the process's CPU.
     */
    static Map<String, Double> perImage(long[] parts, Helpers helpers, long processNanos, long images) {
        Map<String, Double> out = new LinkedHashMap<>();
        if (images <= 0 || processNanos <= 0) {
            return out;
        }
        long sum = 0;
        for (StageTimer.Part p : StageTimer.Part.values()) {
            long n = Math.max(0, parts[p.ordinal()] + switch (p) {
                case DECODE -> helpers.decode();
                case INFERENCE -> helpers.inference();
                case MINING -> helpers.mining();
                default -> 0;
            });
            sum += n;
            out.put(p.name().toLowerCase(Locale.ROOT), Stats.round(n / 1e3 / images));
        }
        out.put(JVM, Stats.round(helpers.jvm() / 1e3 / images));
        // Clamped: the parts are read from other clocks than the process's, so over a short window they can
        // exceed it by a little.
        out.put(REST, Stats.round(Math.max(0, processNanos - sum - helpers.jvm()) / 1e3 / images));
        return out;
    }
}
