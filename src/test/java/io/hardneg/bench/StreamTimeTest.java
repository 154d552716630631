package io.hardneg.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.junit.jupiter.api.Test;

class StreamTimeTest {

    @Test
    void shouldShareTheStreamThreadsWallTimeBetweenBlockedFlushAndCommit() {
        // Given two stream threads whose totals grew over 2 s: 1.0 s and 0.6 s blocked, of which 0.2 + 0.1 s
        // flushing, 0.1 + 0.05 s adding offsets and 0.3 + 0.15 s ending transactions
        Map<MetricName, Metric> before = totals(0, 0, 0, 0);
        Map<MetricName, Metric> after = totals(1.0e9, 0.2e9, 0.1e9, 0.3e9);
        TestMetrics.put(after, "blocked-time-ns-total", "stream-thread-metrics", "app-StreamThread-2", 0.6e9);
        TestMetrics.put(after, "flush-time-ns-total", "producer-metrics", "app-StreamThread-2-producer", 0.1e9);
        TestMetrics.put(after, "txn-send-offsets-time-ns-total", "producer-metrics", "app-StreamThread-2-producer",
                0.05e9);
        TestMetrics.put(after, "txn-commit-time-ns-total", "producer-metrics", "app-StreamThread-2-producer", 0.15e9);
        // A consumer's metric of the same name is another thing
        TestMetrics.put(after, "flush-time-ns-total", "consumer-metrics", "app-StreamThread-1-consumer", 9e9);

        Map<String, Double> s = StreamTime.shares(StreamTime.read(before), StreamTime.read(after), 2.0);

        // Then each is a share of 2 threads × 2 s
        assertThat(s.get("blocked")).isCloseTo(1.6 / 4, within(1e-9));
        assertThat(s.get("flush")).isCloseTo(0.3 / 4, within(1e-9));
        assertThat(s.get("commit")).isCloseTo(0.6 / 4, within(1e-9));
    }

    @Test
    void shouldSayNothingWithoutAStreamThread() {
        Map<MetricName, Metric> none = new LinkedHashMap<>();
        TestMetrics.put(none, "flush-time-ns-total", "producer-metrics", "bench-producer", 5e9);

        assertThat(StreamTime.shares(StreamTime.read(none), StreamTime.read(none), 2.0)).isEmpty();
    }

    @Test
    void shouldAddTwoInstancesThreadsAndReadTheRecordsTheyProcessed() {
        // Given two instances of one application, one stream thread each, read one by one
        Map<MetricName, Metric> first = totals(1.0e9, 0.2e9, 0.1e9, 0.3e9);
        Map<MetricName, Metric> second = new LinkedHashMap<>();
        TestMetrics.put(second, "blocked-time-ns-total", "stream-thread-metrics", "app-b-StreamThread-1", 0.6e9);
        TestMetrics.put(second, "process-total", "stream-thread-metrics", "app-b-StreamThread-1", 1200.0);
        TestMetrics.put(second, "process-total", "stream-thread-metrics", "app-b-StreamThread-2", 300.0);

        StreamTime.Totals sum = StreamTime.read(first).plus(StreamTime.read(second));

        // Then their threads and waits add up, and each reports the records its own threads processed
        assertThat(sum.threads()).isEqualTo(2);
        assertThat(sum.blocked()).isCloseTo(1.6e9, within(1.0));
        assertThat(StreamTime.processed(second)).isEqualTo(1500);
        assertThat(StreamTime.processed(first)).isZero();
    }

    private static Map<MetricName, Metric> totals(double blocked, double flush, double offsets, double commit) {
        Map<MetricName, Metric> m = new LinkedHashMap<>();
        TestMetrics.put(m, "blocked-time-ns-total", "stream-thread-metrics", "app-StreamThread-1", blocked);
        TestMetrics.put(m, "flush-time-ns-total", "producer-metrics", "app-StreamThread-1-producer", flush);
        TestMetrics.put(m, "txn-send-offsets-time-ns-total", "producer-metrics", "app-StreamThread-1-producer",
                offsets);
        TestMetrics.put(m, "txn-commit-time-ns-total", "producer-metrics", "app-StreamThread-1-producer", commit);
        if (blocked == 0) {
            TestMetrics.put(m, "blocked-time-ns-total", "stream-thread-metrics", "app-StreamThread-2", 0);
        }
        return m;
    }
}
