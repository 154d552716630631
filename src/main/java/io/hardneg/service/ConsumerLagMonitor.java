package io.hardneg.service;

import io.hardneg.mining.Backpressure;
import io.hardneg.stream.PipelineObserver;
import io.hardneg.stream.Topics;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupListing;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Measures how far the consumers of {@code hard-negatives} are behind, every few seconds off the processing
 * thread, and hands the lag to {@link Backpressure}: the lag of a group is the sum over partitions of end
 * offset − committed offset; the slowest group with a committed offset on the topic counts. Groups that
 * commit nothing there (our own tallies, read-only tools) are ignored. A failed measurement keeps the last one.
 */
final class ConsumerLagMonitor implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ConsumerLagMonitor.class);
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(10);

    private final Admin admin;
    private final Backpressure backpressure;
    private final PipelineObserver observer;
    private final ScheduledExecutorService scheduler;
    private volatile boolean warned;

    ConsumerLagMonitor(String bootstrap, Map<String, String> kafkaOverrides, Backpressure backpressure,
                       PipelineObserver observer, long intervalMs) {
        Map<String, Object> props = new HashMap<>(kafkaOverrides);
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        this.admin = Admin.create(props);
        this.backpressure = backpressure;
        this.observer = observer;
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "hardneg-lag-monitor");
            t.setDaemon(true);
            return t;
        });
        scheduler.scheduleWithFixedDelay(this::measure, intervalMs, intervalMs, TimeUnit.MILLISECONDS);
    }

    void measure() {
        try {
            long lag = slowestGroupLag();
            backpressure.observeLag(lag);
            observer.backpressure(lag, backpressure.factor());
            if (backpressure.factor() < 1.0) {
                LOG.info("hard-negatives consumers lag by {} records (bound {}): publishing {}% of triplets", lag,
                        backpressure.maxLag(), Math.round(backpressure.factor() * 100));
            }
        } catch (Exception e) {
            if (!warned) {
                warned = true;
                LOG.warn("cannot measure the consumer lag of {} (keeping the last factor, logged once): {}",
                        Topics.HARD_NEGATIVES.name(), e.toString());
            }
        }
    }

    long slowestGroupLag() throws Exception {
        String topic = Topics.HARD_NEGATIVES.name();
        Collection<ConsumerGroupListing> groups = admin.listConsumerGroups().all()
                .get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        Map<String, Map<TopicPartition, OffsetAndMetadata>> committedByGroup = new HashMap<>();
        for (ConsumerGroupListing g : groups) {
            Map<TopicPartition, OffsetAndMetadata> committed = new HashMap<>();
            admin.listConsumerGroupOffsets(g.groupId()).partitionsToOffsetAndMetadata()
                    .get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                    .forEach((tp, om) -> {
                        if (tp.topic().equals(topic) && om != null) {
                            committed.put(tp, om);
                            latest.put(tp, OffsetSpec.latest());
                        }
                    });
            if (!committed.isEmpty()) {
                committedByGroup.put(g.groupId(), committed);
            }
        }
        if (committedByGroup.isEmpty()) {
            return 0;
        }
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends = admin.listOffsets(latest).all()
                .get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        long slowest = 0;
        for (Map<TopicPartition, OffsetAndMetadata> committed : committedByGroup.values()) {
            long lag = 0;
            for (Map.Entry<TopicPartition, OffsetAndMetadata> e : committed.entrySet()) {
                lag += Math.max(0, ends.get(e.getKey()).offset() - e.getValue().offset());
            }
            slowest = Math.max(slowest, lag);
        }
        return slowest;
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
        admin.close(Duration.ofSeconds(5));
    }
}
