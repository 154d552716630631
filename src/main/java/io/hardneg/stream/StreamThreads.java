package io.hardneg.stream;

import io.hardneg.config.ConfigKeys;

/** How many stream threads an instance runs: {@code streams.threads}, or one per core up to the input partitions. */
public final class StreamThreads {

    /** Partitions of the input not known (no broker reached yet). */
    public static final int PARTITIONS_UNKNOWN = 0;

    private StreamThreads() {
    }

    /**
     * An explicit {@code configured} count as it is; for {@code auto}, one thread per core, but no more than the
     * input's partitions: each thread runs whole tasks, one per partition, so a thread beyond them would idle.
     *
     * @param configured {@code streams.threads}, {@link ConfigKeys#STREAMS_THREADS_AUTO} for auto
     * @param cores      the JVM's available processors
     * @param partitions partitions of {@code images}, or {@link #PARTITIONS_UNKNOWN}
     */
    public static int resolve(int configured, int cores, int partitions) {
        if (configured != ConfigKeys.STREAMS_THREADS_AUTO) {
            return configured;
        }
        int threads = Math.max(1, cores);
        return partitions > 0 ? Math.min(threads, partitions) : threads;
    }

    /** {@link #resolve} on this JVM's available processors. */
    public static int resolve(int configured, int partitions) {
        return resolve(configured, Runtime.getRuntime().availableProcessors(), partitions);
    }
}
