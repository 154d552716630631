package io.hardneg.bench;

import java.util.Map;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;

/** Kafka client metrics as tests need them: a name, a group, a client id and a value. */
final class TestMetrics {

    private TestMetrics() {
    }

    static void put(Map<MetricName, Metric> metrics, String name, String group, String clientId, double value) {
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
