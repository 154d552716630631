package io.hardneg.bench;

import java.util.Map;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;

/**
 * Kafka clients' own waits, read from their metrics, to place a latency stall: the stream's (from Kafka Streams'
 * metrics) and the bench producer's.
 *
 * <p>Under EOS a record's output is visible when its transaction commits; a commit that waits, a send the producer
 * must retry (after its back-off), or one slow batch on the stream thread holds every record in flight.
 */
final class StreamWaits {

    static final String PRODUCER = "producer-metrics";
    static final String THREAD = "stream-thread-metrics";

    /** Producer sends retried (Kafka's {@code record-retry-total}, summed over the stream's producers). */
    static final String RETRIES = "record-retry-total";
    /** Slowest commit of a stream thread (windowed max, ms). */
    static final String COMMIT_MAX = "commit-latency-max";
    /** Slowest record a stream thread processed (windowed max, ms): a full batch is embedded and mined in one. */
    static final String PROCESS_MAX = "process-latency-max";
    /** Slowest punctuation of a stream thread (windowed max, ms): a lingering batch is embedded and mined in one. */
    static final String PUNCTUATE_MAX = "punctuate-latency-max";
    /** Slowest request of a producer: sends, and a transaction's own requests (windowed max, ms). */
    static final String REQUEST_MAX = "request-latency-max";
    /** Longest a record waited in a producer before its request left (windowed max, ms). */
    static final String QUEUE_MAX = "record-queue-time-max";

    private StreamWaits() {
    }

    /** The stream's waits: retries summed over producers, the maxima taken over clients; NaN where absent. */
    static Map<String, Double> read(Map<MetricName, ? extends Metric> metrics) {
        return Map.of(RETRIES, sum(metrics, PRODUCER, RETRIES),
                COMMIT_MAX, max(metrics, THREAD, COMMIT_MAX),
                REQUEST_MAX, max(metrics, PRODUCER, REQUEST_MAX),
                PROCESS_MAX, max(metrics, THREAD, PROCESS_MAX),
                PUNCTUATE_MAX, max(metrics, THREAD, PUNCTUATE_MAX));
    }

    /** The largest value of a metric over the clients that report it; NaN when none has a sample. */
    static double max(Map<MetricName, ? extends Metric> metrics, String group, String name) {
        return fold(metrics, group, name, false);
    }

    /** The sum of a metric over the clients that report it; NaN when none has a sample. */
    static double sum(Map<MetricName, ? extends Metric> metrics, String group, String name) {
        return fold(metrics, group, name, true);
    }

    private static double fold(Map<MetricName, ? extends Metric> metrics, String group, String name, boolean sum) {
        double out = Double.NaN;
        for (Map.Entry<MetricName, ? extends Metric> e : metrics.entrySet()) {
            MetricName n = e.getKey();
            if (name.equals(n.name()) && group.equals(n.group())
                    && e.getValue().metricValue() instanceof Double v && Double.isFinite(v)) {
                out = Double.isNaN(out) ? v : sum ? out + v : Math.max(out, v);
            }
        }
        return out;
    }
}
