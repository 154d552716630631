package io.hardneg.service;

import io.hardneg.config.HardnegConfig;
import io.hardneg.metrics.MetricBinders;
import io.hardneg.metrics.PipelineMetrics;
import io.hardneg.mining.MemoryBank;
import io.hardneg.model.ModelRegistry;
import io.hardneg.web.AccessToken;
import io.hardneg.web.HealthSource;
import io.hardneg.web.HttpApi;
import io.hardneg.web.LiveView;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.kafka.streams.KafkaStreams;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One instance's metrics registry, live view and HTTP endpoints, started and closed with the service. */
final class Observability implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Observability.class);

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final AutoCloseable jvm = MetricBinders.bindJvm(registry);
    private final PipelineMetrics metrics = new PipelineMetrics(registry);
    private final LiveView liveView = new LiveView(metrics);
    private final MemoryBank bank;
    private KafkaStreamsMetrics streamsMetrics;
    private HttpApi http;

    Observability(MemoryBank bank) {
        this.bank = bank;
        metrics.bindBank(() -> bank);
    }

    PipelineMetrics metrics() {
        return metrics;
    }

    LiveView liveView() {
        return liveView;
    }

    void start(HardnegConfig.Http config, AccessToken token, KafkaStreams streams, ModelRegistry models) {
        streamsMetrics = MetricBinders.bindKafkaStreams(registry, streams);
        try {
            http = HttpApi.start(config.host(), config.port(), registry, liveView,
                    HealthSource.of(() -> streams.state().name(), () -> models.current().info(),
                            () -> models.current().device(), () -> bank), token);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serve HTTP on " + config.host() + ":" + config.port()
                    + " (set http.port, or --http-port): " + e.getMessage(), e);
        }
        LOG.info("HTTP on http://{}:{}/ (live page), /metrics, /health", config.host(), http.port());
    }

    int httpPort() {
        return http == null ? -1 : http.port();
    }

    String scrape() {
        return registry.scrape();
    }

    void closeHttp() {
        if (http != null) {
            http.close();
        }
    }

    @Override
    public void close() {
        if (streamsMetrics != null) {
            streamsMetrics.close();
        }
        metrics.close();
        try {
            jvm.close();
        } catch (Exception e) {
            LOG.debug("closing JVM metrics: {}", e.toString());
        }
        registry.close();
    }
}
