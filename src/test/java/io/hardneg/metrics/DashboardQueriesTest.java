package io.hardneg.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hardneg.error.ErrorCode;
import io.hardneg.mining.EmbeddedImage;
import io.hardneg.mining.MemoryBank;
import io.hardneg.model.Device;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.File;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Every metric the Grafana dashboard queries must exist in a real scrape, so no panel says "no data" by a typo. */
public class DashboardQueriesTest {

    static final Path DASHBOARD = Path.of("monitoring", "grafana", "dashboards", "hardneg.json");

    /**
     * Kafka Streams metrics the dashboard uses. They come from {@code KafkaStreamsMetrics}, so only a
     * {@link KafkaStreams} makes them: the first group exists as soon as one is constructed (checked here), the
     * second only once tasks are assigned on a real broker (for the broker integration test to check).
     */
    public static final List<String> KAFKA_STREAMS_METRICS_AT_CONSTRUCTION = List.of(
            "kafka_consumer_fetch_manager_records_lag_max",
            "kafka_stream_thread_process_rate",
            "kafka_stream_thread_commit_latency_avg");
    public static final List<String> KAFKA_STREAMS_METRICS_WHEN_RUNNING = List.of(
            "kafka_stream_processor_node_record_e2e_latency_avg");

    private static final Pattern IDENTIFIER = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Set<String> PROMQL_WORDS = Set.of("by", "without", "on", "ignoring", "group_left",
            "group_right", "bool", "and", "or", "unless", "offset", "inf", "nan");

    /** The metric names referenced by every PromQL expression of the dashboard. */
    public static Set<String> dashboardMetricNames() throws Exception {
        JsonNode dash = new ObjectMapper().readTree(DASHBOARD.toFile());
        Set<String> names = new TreeSet<>();
        for (JsonNode panel : dash.get("panels")) {
            for (JsonNode target : panel.path("targets")) {
                names.addAll(metricNames(target.get("expr").asText()));
            }
        }
        return names;
    }

    static Set<String> metricNames(String expr) {
        String e = expr.replaceAll("\"(?:[^\"\\\\]|\\\\.)*\"", "\"\"") // label values
                .replaceAll("\\{[^}]*}", "")                            // label matchers
                .replaceAll("\\[[^]]*]", "")                            // range selectors
                .replaceAll("\\b(by|without|on|ignoring)\\s*\\([^)]*\\)", ""); // grouping labels
        Set<String> out = new TreeSet<>();
        Matcher m = IDENTIFIER.matcher(e);
        while (m.find()) {
            String id = m.group();
            int after = m.end();
            while (after < e.length() && e.charAt(after) == ' ') {
                after++;
            }
            boolean function = after < e.length() && e.charAt(after) == '(';
            if (!function && !PROMQL_WORDS.contains(id.toLowerCase(java.util.Locale.ROOT))) {
                out.add(id);
            }
        }
        return out;
    }

    @Test
    void shouldExtractMetricNamesFromPromQl() {
        assertThat(metricNames("histogram_quantile(0.99, sum by (le) (rate(x_seconds_bucket{a=\"b c\"}[1m])))"))
                .containsExactly("x_seconds_bucket");
        assertThat(metricNames("sum(rate(a_total[1m])) / sum(rate(b_count[5m])) > 0")).containsExactly("a_total", "b_count");
    }

    @Test
    void shouldFindEveryDashboardMetricOfOursInARealScrape() throws Exception {
        // Given a registry fed with one of every pipeline event and the JVM binders
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try (PipelineMetrics metrics = new PipelineMetrics(registry);
             AutoCloseable jvm = MetricBinders.bindJvm(registry)) {
            MemoryBank bank = new MemoryBank(2, 4, 8);
            bank.put("0/1", new EmbeddedImage("i", "0", "3", new float[] {1, 0}, null, 1));
            metrics.bindBank(() -> bank);
            metrics.modelChanged(PipelineMetricsTest.model("m", "3"), Device.cpu());
            metrics.accepted(true);
            metrics.deadLettered(ErrorCode.TRUNCATED);
            metrics.decoded(1000);
            metrics.batchEmbedded(4, 1_000_000, "3", "cpu");
            metrics.batchMined(4, 200_000);
            metrics.embedded(System.currentTimeMillis());
            metrics.mined(List.of(PipelineMetricsTest.triplet("0", "1", 0.5f, 0.4f)), 1);

            Set<String> scraped = Scrape.parse(registry.scrape()).names();

            // Then every name the dashboard queries is scraped, except the Kafka Streams ones listed above
            Set<String> queried = dashboardMetricNames();
            assertThat(queried).isNotEmpty().contains("hardneg_inference_latency_seconds_bucket",
                    "hardneg_mining_latency_seconds_bucket");
            Set<String> expectedHere = new TreeSet<>(queried);
            expectedHere.removeAll(KAFKA_STREAMS_METRICS_AT_CONSTRUCTION);
            expectedHere.removeAll(KAFKA_STREAMS_METRICS_WHEN_RUNNING);
            assertThat(scraped).containsAll(expectedHere);
            // And the JVM binders are bound
            assertThat(scraped).contains("jvm_memory_used_bytes", "process_cpu_usage", "process_uptime_seconds",
                    "jvm_threads_live_threads");
        }
        registry.close();
    }

    @Test
    void shouldListEveryKafkaStreamsMetricTheDashboardUses() throws Exception {
        Set<String> kafka = new TreeSet<>();
        for (String name : dashboardMetricNames()) {
            if (name.startsWith("kafka_")) {
                kafka.add(name);
            }
        }
        Set<String> listed = new TreeSet<>(KAFKA_STREAMS_METRICS_AT_CONSTRUCTION);
        listed.addAll(KAFKA_STREAMS_METRICS_WHEN_RUNNING);
        assertThat(kafka).isEqualTo(listed);
    }

    @Test
    @Timeout(60)
    void shouldFindKafkaStreamsThreadAndConsumerMetricsOnceStreamsIsConstructed(@TempDir File state) throws Exception {
        // Given a Kafka Streams client that is constructed but never started (no broker needed)
        StreamsBuilder b = new StreamsBuilder();
        b.stream("in").to("out");
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, "dashboard-queries-test");
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:1");
        p.put(StreamsConfig.STATE_DIR_CONFIG, state.getAbsolutePath());
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try (KafkaStreams streams = new KafkaStreams(b.build(), p);
             AutoCloseable binder = MetricBinders.bindKafkaStreams(registry, streams)) {
            // Then the Kafka Streams names the dashboard uses are the ones Micrometer produces
            assertThat(Scrape.parse(registry.scrape()).names()).containsAll(KAFKA_STREAMS_METRICS_AT_CONSTRUCTION);
        }
        registry.close();
    }
}
