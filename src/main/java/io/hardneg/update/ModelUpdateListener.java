package io.hardneg.update;

import io.hardneg.kafka.ConsumerThread;
import io.hardneg.model.EmbeddingModel;
import io.hardneg.model.ModelRegistry;
import io.hardneg.stream.PipelineObserver;
import io.hardneg.stream.Topics;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the compacted {@code model-updates} topic in every instance (no consumer group: each instance
 * reads it whole, from the beginning, so a restarted instance converges on the latest version) and hot-swaps
 * verified models into the registry.
 */
public final class ModelUpdateListener implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ModelUpdateListener.class);

    private final ConsumerThread<String, byte[]> poller;
    private final ModelRegistry registry;
    private final ModelVerifier verifier;
    private final PipelineObserver observer;

    public ModelUpdateListener(String bootstrapServers, Map<String, String> kafkaOverrides, ModelRegistry registry,
                               ModelVerifier verifier, PipelineObserver observer) {
        Map<String, Object> p = new HashMap<>(kafkaOverrides);
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        // Announcements carry the model inline: up to the topic's 32 MiB.
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Integer.toString(40 << 20));
        p.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, Integer.toString(40 << 20));
        this.registry = registry;
        this.verifier = verifier;
        this.observer = observer;
        this.poller = new ConsumerThread<>("hardneg-model-updates",
                new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer()), Duration.ofMillis(500),
                ModelUpdateListener::fromTheBeginning, (c, records) -> records.forEach(this::handle));
    }

    public void start() {
        poller.start();
    }

    private static void fromTheBeginning(KafkaConsumer<String, byte[]> consumer) {
        List<TopicPartition> parts = consumer.partitionsFor(Topics.MODEL_UPDATES.name(), Duration.ofSeconds(30))
                .stream().map(i -> new TopicPartition(i.topic(), i.partition())).toList();
        consumer.assign(parts);
        consumer.seekToBeginning(parts);
    }

    void handle(ConsumerRecord<String, byte[]> r) {
        if (r.value() == null) {
            return;
        }
        EmbeddingModel serving = registry.current();
        ModelAnnouncement a;
        try {
            a = ModelAnnouncement.fromJson(r.value());
        } catch (IOException e) {
            LOG.warn("model update at offset {} is not a valid announcement: {}", r.offset(), e.getMessage());
            observer.modelRefused("format");
            return;
        }
        if (!serving.info().name().equals(a.name()) || serving.info().version().equals(a.version())) {
            return;
        }
        try {
            EmbeddingModel next = verifier.verify(a, serving.info());
            registry.swap(next);
        } catch (ModelVerifier.RefusedException e) {
            LOG.warn("model update refused, {} v{} keeps serving: {}", serving.info().name(), serving.info().version(),
                    e.getMessage());
            observer.modelRefused(e.reason());
        }
    }

    @Override
    public void close() {
        poller.close();
    }
}
