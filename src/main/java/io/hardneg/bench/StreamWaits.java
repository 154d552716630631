package io.hardneg.bench;

import java.util.Map;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;

/**
 * The stream's own clients' waits, read from Kafka Streams' metrics, to place a latency stall.
 *
 * <p>Under EOS a record's output is visible when its transaction commits; a commit that waits, a send the producer
 * must retry (after its back-off), or one slow batch on the stream thread holds every record in flight.
 */
final class StreamWaits {

    /** Producer sends retried (Kafka's {@code record-retry-total}, summed over the stream's producers). */
    static final String RETRIES = "record-retry-total";
    /** Slowest commit of a stream thread (windowed max, ms). */
    static final String COMMIT_MAX = "commit-latency-max";

    /** Slowest record a stream thread processed (windowed max, ms): a full batch is embedded and mined in one. */
    static final String PROCESS_MAX = "process-latency-max";
    /** Slowest punctuation of a stream thread (windowed max, ms): a lingering batch is embedded and mined in one. */
    static final String PUNCTUATE_MAX = "punctuate-latency-max";

    /** Slowest request of the stream's producers: sends, and the transaction's own requests (windowed max, ms). */
    static final String REQUEST_MAX = "request-latency-max";

    private StreamWaits() {
    }

    /** Retries are summed over producers, the maxima taken over clients; NaN where a metric is absent. */
    static Map<String, Double> read(Map<MetricName, ? extends Metric> metrics) {
        double retries = Double.NaN;
        double commitMax = Double.NaN;
        double requestMax = Double.NaN;
        double processMax = Double.NaN;
        double punctuateMax = Double.NaN;
        for (Map.Entry<MetricName, ? extends Metric> e : metrics.entrySet()) {
            MetricName n = e.getKey();
            if (!(e.getValue().metricValue() instanceof Double v) || v.isNaN() || v.isInfinite()) {
                continue;
            }
            if (RETRIES.equals(n.name()) && "producer-metrics".equals(n.group())) {
                retries = (Double.isNaN(retries) ? 0 : retries) + v;
            } else if (REQUEST_MAX.equals(n.name()) && "producer-metrics".equals(n.group())) {
                requestMax = Double.isNaN(requestMax) ? v : Math.max(requestMax, v);
            } else if (PROCESS_MAX.equals(n.name()) && "stream-thread-metrics".equals(n.group())) {
                processMax = Double.isNaN(processMax) ? v : Math.max(processMax, v);
            } else if (PUNCTUATE_MAX.equals(n.name()) && "stream-thread-metrics".equals(n.group())) {
                punctuateMax = Double.isNaN(punctuateMax) ? v : Math.max(punctuateMax, v);
            } else if (COMMIT_MAX.equals(n.name()) && "stream-thread-metrics".equals(n.group())) {
                commitMax = Double.isNaN(commitMax) ? v : Math.max(commitMax, v);
            }
        }
        return Map.of(RETRIES, retries, COMMIT_MAX, commitMax, REQUEST_MAX, requestMax, PROCESS_MAX, processMax,
                PUNCTUATE_MAX, punctuateMax);
    }
}
