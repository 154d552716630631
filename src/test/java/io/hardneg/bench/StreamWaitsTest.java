package io.hardneg.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.junit.jupiter.api.Test;

class StreamWaitsTest {

    private final Map<MetricName, Metric> metrics = new LinkedHashMap<>();

    @Test
    void shouldSumRetriesOverProducersAndTakeTheWorstCommit() {
        TestMetrics.put(metrics, "record-retry-total", "producer-metrics", "app-StreamThread-1-producer", 3.0);
        TestMetrics.put(metrics, "record-retry-total", "producer-metrics", "app-StreamThread-2-producer", 4.0);
        TestMetrics.put(metrics, "commit-latency-max", "stream-thread-metrics", "app-StreamThread-1", 12.0);
        TestMetrics.put(metrics, "commit-latency-max", "stream-thread-metrics", "app-StreamThread-2", 310.0);
        TestMetrics.put(metrics, "request-latency-max", "producer-metrics", "app-StreamThread-1-producer", 40.0);
        TestMetrics.put(metrics, "request-latency-max", "producer-metrics", "app-StreamThread-2-producer", 25.0);
        TestMetrics.put(metrics, "process-latency-max", "stream-thread-metrics", "app-StreamThread-1", 7.0);
        TestMetrics.put(metrics, "punctuate-latency-max", "stream-thread-metrics", "app-StreamThread-2", 240.0);
        // Same names in other groups are other things: a consumer's or the admin client's.
        TestMetrics.put(metrics, "record-retry-total", "consumer-metrics", "app-StreamThread-1-consumer", 99.0);
        TestMetrics.put(metrics, "commit-latency-max", "consumer-coordinator-metrics", "app-StreamThread-1-consumer",
                999.0);

        Map<String, Double> w = StreamWaits.read(metrics);

        assertThat(w.get(StreamWaits.RETRIES)).isEqualTo(7.0);
        assertThat(w.get(StreamWaits.COMMIT_MAX)).isEqualTo(310.0);
        assertThat(w.get(StreamWaits.REQUEST_MAX)).isEqualTo(40.0);
        assertThat(w.get(StreamWaits.PROCESS_MAX)).isEqualTo(7.0);
        assertThat(w.get(StreamWaits.PUNCTUATE_MAX)).isEqualTo(240.0);
    }

    @Test
    void shouldReadOneClientsMaximaAndIgnoreAnEmptyWindow() {
        TestMetrics.put(metrics, "record-queue-time-max", "producer-metrics", "bench-producer", 44.0);
        TestMetrics.put(metrics, "request-latency-max", "producer-metrics", "bench-producer", Double.NEGATIVE_INFINITY);

        assertThat(StreamWaits.max(metrics, StreamWaits.PRODUCER, StreamWaits.QUEUE_MAX)).isEqualTo(44.0);
        assertThat(StreamWaits.max(metrics, StreamWaits.PRODUCER, StreamWaits.REQUEST_MAX)).isNaN();
    }

    @Test
    void shouldSayNaNWhenAMetricIsAbsentOrHasNoSampleYet() {
        TestMetrics.put(metrics, "commit-latency-max", "stream-thread-metrics", "app-StreamThread-1", Double.NaN);

        Map<String, Double> w = StreamWaits.read(metrics);

        assertThat(w.get(StreamWaits.RETRIES)).isNaN();
        assertThat(w.get(StreamWaits.COMMIT_MAX)).isNaN();
        assertThat(w.get(StreamWaits.REQUEST_MAX)).isNaN();
    }
}
