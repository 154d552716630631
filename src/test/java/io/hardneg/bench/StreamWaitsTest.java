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
        put("record-retry-total", "producer-metrics", "app-StreamThread-1-producer", 3.0);
        put("record-retry-total", "producer-metrics", "app-StreamThread-2-producer", 4.0);
        put("commit-latency-max", "stream-thread-metrics", "app-StreamThread-1", 12.0);
        put("commit-latency-max", "stream-thread-metrics", "app-StreamThread-2", 310.0);
        put("request-latency-max", "producer-metrics", "app-StreamThread-1-producer", 40.0);
        put("request-latency-max", "producer-metrics", "app-StreamThread-2-producer", 25.0);
        put("process-latency-max", "stream-thread-metrics", "app-StreamThread-1", 7.0);
        put("punctuate-latency-max", "stream-thread-metrics", "app-StreamThread-2", 240.0);
        // Same names in other groups are other things: a consumer's or the admin client's.
        put("record-retry-total", "consumer-metrics", "app-StreamThread-1-consumer", 99.0);
        put("commit-latency-max", "consumer-coordinator-metrics", "app-StreamThread-1-consumer", 999.0);

        Map<String, Double> w = StreamWaits.read(metrics);

        assertThat(w.get(StreamWaits.RETRIES)).isEqualTo(7.0);
        assertThat(w.get(StreamWaits.COMMIT_MAX)).isEqualTo(310.0);
        assertThat(w.get(StreamWaits.REQUEST_MAX)).isEqualTo(40.0);
        assertThat(w.get(StreamWaits.PROCESS_MAX)).isEqualTo(7.0);
        assertThat(w.get(StreamWaits.PUNCTUATE_MAX)).isEqualTo(240.0);
    }

    @Test
    void shouldReadOneClientsMaximaAndIgnoreAnEmptyWindow() {
        put("record-queue-time-max", "producer-metrics", "bench-producer", 44.0);
        put("request-latency-max", "producer-metrics", "bench-producer", Double.NEGATIVE_INFINITY);

        assertThat(StreamWaits.max(metrics, StreamWaits.PRODUCER, StreamWaits.QUEUE_MAX)).isEqualTo(44.0);
        assertThat(StreamWaits.max(metrics, StreamWaits.PRODUCER, StreamWaits.REQUEST_MAX)).isNaN();
    }

    @Test
    void shouldSayNaNWhenAMetricIsAbsentOrHasNoSampleYet() {
        put("commit-latency-max", "stream-thread-metrics", "app-StreamThread-1", Double.NaN);

        Map<String, Double> w = StreamWaits.read(metrics);

        assertThat(w.get(StreamWaits.RETRIES)).isNaN();
        assertThat(w.get(StreamWaits.COMMIT_MAX)).isNaN();
        assertThat(w.get(StreamWaits.REQUEST_MAX)).isNaN();
    }

    private void put(String name, String group, String clientId, double value) {
        MetricName n = new MetricName(name, group, "", Map.of("client-id", clientId));
        metrics.put(n, new Metric() {
            @Override
            public MetricName metricName() {
                return n;
            }

            @Override
            public Object metricValue() {
                return value;
            }
        });
    }
}
