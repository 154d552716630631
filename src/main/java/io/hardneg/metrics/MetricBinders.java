package io.hardneg.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import org.apache.kafka.streams.KafkaStreams;

/** Binds the JVM's and Kafka Streams' own meters next to ours, each returning what must be closed at shutdown. */
public final class MetricBinders {

    private MetricBinders() {
    }

    /**
     * Binds JVM memory, GC, threads, CPU and uptime meters ({@code jvm.*}, {@code process.*}, {@code system.*}).
     *
     * @return closes the GC binder's notification listeners; the other binders hold nothing
     */
    public static AutoCloseable bindJvm(MeterRegistry registry) {
        new JvmMemoryMetrics().bindTo(registry);
        JvmGcMetrics gc = new JvmGcMetrics();
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        return gc::close;
    }

    /**
     * Binds every Kafka Streams client metric as {@code kafka.*} meters (in Prometheus e.g.
     * {@code kafka_stream_thread_process_rate}, {@code kafka_consumer_fetch_manager_records_lag_max}); call it after
     * constructing {@code streams} and before or after {@code start()}: the binder re-reads new metrics itself.
     *
     * @return the binder, to close before closing {@code streams}
     */
    public static KafkaStreamsMetrics bindKafkaStreams(MeterRegistry registry, KafkaStreams streams) {
        // Task-level meters (record-e2e-latency) appear only once tasks are assigned, after binding: look for new
        // ones every 5 s rather than Micrometer's default minute, so a fresh instance's dashboard fills quickly.
        java.util.concurrent.ScheduledExecutorService scheduler = java.util.concurrent.Executors
                .newSingleThreadScheduledExecutor(r -> {
                    Thread t = new Thread(r, "hardneg-kafka-metrics");
                    t.setDaemon(true);
                    return t;
                });
        KafkaStreamsMetrics metrics = new KafkaStreamsMetrics(streams, java.util.List.of(), scheduler,
                java.time.Duration.ofSeconds(5));
        metrics.bindTo(registry);
        return metrics;
    }
}
