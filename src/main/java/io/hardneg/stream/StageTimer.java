package io.hardneg.stream;

/**
 * Charges the processor's thread CPU to the parts of its work, for the bench's {@code pipeline_cpu_us_by_stage}; the
 * service runs {@link #NONE}, which reads no clock.
 *
 * <p>The processor reads the clock at the boundaries of a batch's phases, not around each image: a thread CPU
 * reading costs microseconds on some machines, as much as a part of one image's work.
 */
public interface StageTimer {

    /** The parts of the processor's work; what no part covers (Kafka's own work, the JVM's) is the bench's rest. */
    enum Part {
        /** Decoding images into the model's input (the stream thread's share of a parallel decode). */
        DECODE,
        /** ONNX Runtime's run (the calling thread's share). */
        INFERENCE,
        /** The miner's pass over the bank, which also feeds the mislabel detector. */
        MINING,
        /** The mislabel detector's verdicts from what the pass gave it. */
        SUSPECTS,
        /** Input validation, duplicate filters and triplet quotas. */
        GUARDS,
        /** Our output encodings: embeddings, triplet and suspect JSON with their base64 images. */
        ENCODING,
        /** Handing the embeddings, triplets and suspects to Kafka Streams' sinks. */
        SENDS,
        /** Encoding the bank's entries and sending them to the bank topic (the global thread's apply is not timed). */
        BANK_WRITES,
        /** The batch buffer's changelogged store: puts, reads and deletes. */
        CHANGELOG
    }

    /** Reads no clock and keeps nothing. */
    StageTimer NONE = new StageTimer() {
        @Override
        public boolean enabled() {
            return false;
        }

        @Override
        public long start() {
            return 0;
        }

        @Override
        public long lap(Part part, long since, int weight) {
            return 0;
        }

        @Override
        public void add(Part part, long nanos) {
        }
    };

    /** False for {@link #NONE}: the caller can skip work done only to time. */
    boolean enabled();

    /** The current thread's CPU time in nanoseconds, to lap from. */
    long start();

    /**
     * Charges {@code weight} times the current thread's CPU since {@code since} to {@code part}: a weight above 1
     * stands for the untimed records of a sample. Returns the reading it took, to lap from.
     */
    long lap(Part part, long since, int weight);

    /** Charges (or, negative, takes back) {@code nanos} measured another way. */
    void add(Part part, long nanos);
}
