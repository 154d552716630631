package io.hardneg.bench;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;

/**
 * Where a Kafka Streams application's stream threads waited on Kafka over a window, from its clients' cumulative
 * totals (KIP-761): the share of the threads' wall time blocked in all (polls, sends, flushes, the transaction's
 * calls), and the parts of it spent flushing the producer and committing the transaction; and the records they
 * processed, to tell instances of one application apart.
 *
 * <p>Under EOS a stream thread commits every {@code commit.interval.ms}: it flushes its producer, adds the consumed
 * offsets to the transaction and ends it, and processes nothing meanwhile.
 */
final class StreamTime {

    static final String BLOCKED = "blocked-time-ns-total";
    static final String FLUSH = "flush-time-ns-total";
    static final String SEND_OFFSETS = "txn-send-offsets-time-ns-total";
    static final String COMMIT = "txn-commit-time-ns-total";
    /** Records a stream thread has processed. */
    static final String PROCESSED = "process-total";

    /** The totals at one moment, in nanoseconds, summed over the stream threads and their producers. */
    record Totals(double blocked, double flush, double sendOffsets, double commit, int threads) {

        /** Both applications' threads together: instances of one application read one by one. */
        Totals plus(Totals o) {
            return new Totals(blocked + o.blocked, flush + o.flush, sendOffsets + o.sendOffsets, commit + o.commit,
                    threads + o.threads);
        }
    }

    private StreamTime() {
    }

    static Totals read(Map<MetricName, ? extends Metric> metrics) {
        int threads = 0;
        for (MetricName n : metrics.keySet()) {
            threads += BLOCKED.equals(n.name()) && StreamWaits.THREAD.equals(n.group()) ? 1 : 0;
        }
        return new Totals(StreamWaits.sum(metrics, StreamWaits.THREAD, BLOCKED),
                StreamWaits.sum(metrics, StreamWaits.PRODUCER, FLUSH),
                StreamWaits.sum(metrics, StreamWaits.PRODUCER, SEND_OFFSETS),
                StreamWaits.sum(metrics, StreamWaits.PRODUCER, COMMIT), threads);
    }

    /** Records the stream threads have processed so far; 0 before the first. */
    static long processed(Map<MetricName, ? extends Metric> metrics) {
        double n = StreamWaits.sum(metrics, StreamWaits.THREAD, PROCESSED);
        return Double.isNaN(n) ? 0 : (long) n;
    }

    /**
     * Shares of the stream threads' wall time between two readings {@code seconds} apart: {@code blocked}, and of it
     * {@code flush} and {@code commit} (adding the offsets and ending the transaction); empty without a thread. A
     * call's wait is added to the totals when it returns, so over a window of a fraction of a second a share can pass
     * 1 by the part of a call made before the window.
     */
    static Map<String, Double> shares(Totals before, Totals after, double seconds) {
        Map<String, Double> m = new LinkedHashMap<>();
        if (after.threads() == 0 || seconds <= 0) {
            return m;
        }
        double wall = seconds * 1e9 * after.threads();
        m.put("blocked", (after.blocked() - before.blocked()) / wall);
        m.put("flush", (after.flush() - before.flush()) / wall);
        m.put("commit", (after.sendOffsets() - before.sendOffsets() + after.commit() - before.commit()) / wall);
        return m;
    }
}
