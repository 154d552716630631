package io.hardneg.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hardneg.kafka.ConsumerThread;
import io.hardneg.stream.RecordHeaderNames;
import io.hardneg.stream.Topics;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Counts what the service has committed to its output topics (read_committed), for the demo's progress bar
 * and summary: the numbers come from the topics, not from the service's own counters.
 */
public final class OutputTally implements AutoCloseable {

    private final ConsumerThread<byte[], byte[]> poller;
    private final ObjectMapper mapper = new ObjectMapper();
    private final AtomicLong embedded = new AtomicLong();
    private final AtomicLong deadLettered = new AtomicLong();
    private final AtomicLong hard = new AtomicLong();
    private final AtomicLong semihard = new AtomicLong();
    private final AtomicLong pairs = new AtomicLong();
    private final Map<String, AtomicLong> deadByCode = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> hardPairs = new ConcurrentHashMap<>();
    private final Set<String> suspects = ConcurrentHashMap.newKeySet();
    private final Set<String> tripletMembers = ConcurrentHashMap.newKeySet();
    private final Map<String, AtomicLong> negatives = new ConcurrentHashMap<>();
    private final Map<TopicPartition, Long> positions = new HashMap<>(); // poll thread only
    private volatile long lastEmbeddedAtNanos;

    public OutputTally(String bootstrapServers) {
        Map<String, Object> p = new HashMap<>();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "hardneg-tally-" + System.nanoTime());
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Integer.toString(16 << 20));
        poller = new ConsumerThread<>("hardneg-tally",
                new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer()), Duration.ofMillis(100),
                this::subscribe, (c, records) -> {
                    for (ConsumerRecord<byte[], byte[]> r : records) {
                        count(r);
                        positions.put(new TopicPartition(r.topic(), r.partition()), r.offset() + 1);
                    }
                }).start();
    }

    private void subscribe(KafkaConsumer<byte[], byte[]> consumer) {
        // No offsets are committed, so a rebalance (a broker restart moves the group coordinator) would reset
        // to earliest and count everything twice: resume each partition where this tally left it instead.
        consumer.subscribe(List.of(Topics.EMBEDDINGS.name(), Topics.HARD_NEGATIVES.name(), Topics.DLQ.name(),
                        Topics.SUSPECT_LABELS.name()),
                new ConsumerRebalanceListener() {
                    @Override
                    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                    }

                    @Override
                    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                        for (TopicPartition tp : partitions) {
                            Long next = positions.get(tp);
                            if (next != null) {
                                consumer.seek(tp, next);
                            }
                        }
                    }
                });
    }

    private void count(ConsumerRecord<byte[], byte[]> r) {
        String topic = r.topic();
        if (topic.equals(Topics.EMBEDDINGS.name())) {
            embedded.incrementAndGet();
            lastEmbeddedAtNanos = System.nanoTime();
        } else if (topic.equals(Topics.DLQ.name())) {
            deadLettered.incrementAndGet();
            Header code = r.headers().lastHeader(RecordHeaderNames.ERROR_CODE);
            deadByCode.computeIfAbsent(code == null ? "UNKNOWN" : new String(code.value(), StandardCharsets.UTF_8),
                    c -> new AtomicLong()).incrementAndGet();
        } else if (topic.equals(Topics.SUSPECT_LABELS.name())) {
            suspects.add(new String(r.key(), StandardCharsets.UTF_8));
        } else {
            countTriplet(r.value());
        }
    }

    private void countTriplet(byte[] value) {
        try {
            JsonNode n = mapper.readTree(value);
            if ("pair".equals(n.path("format").asText())) {
                pairs.incrementAndGet();
                return;
            }
            String kind = n.path("kind").asText();
            tripletMembers.add(n.path("anchor").path("id").asText());
            tripletMembers.add(n.path("positive").path("id").asText());
            String negative = n.path("negative").path("id").asText();
            tripletMembers.add(negative);
            negatives.computeIfAbsent(negative, k -> new AtomicLong()).incrementAndGet();
            if ("hard".equals(kind)) {
                hard.incrementAndGet();
                String pair = n.path("anchor").path("label").asText() + "→" + n.path("negative").path("label").asText();
                hardPairs.computeIfAbsent(pair, k -> new AtomicLong()).incrementAndGet();
            } else if ("semihard".equals(kind)) {
                semihard.incrementAndGet();
            }
        } catch (IOException e) {
            // Not ours to judge here: the demo only counts.
        }
    }

    public long embedded() {
        return embedded.get();
    }

    public long deadLettered() {
        return deadLettered.get();
    }

    public long hard() {
        return hard.get();
    }

    public long semihard() {
        return semihard.get();
    }

    public long pairs() {
        return pairs.get();
    }

    /** Ids of the images routed to {@code suspect-labels}. */
    public Set<String> suspects() {
        return Set.copyOf(suspects);
    }

    /** Ids that appear in a published triplet, as anchor, positive or negative. */
    public Set<String> tripletMembers() {
        return Set.copyOf(tripletMembers);
    }

    /** Published triplets by negative id. */
    public Map<String, Long> negatives() {
        Map<String, Long> m = new HashMap<>();
        negatives.forEach((k, v) -> m.put(k, v.get()));
        return m;
    }

    public long lastEmbeddedAtNanos() {
        return lastEmbeddedAtNanos;
    }

    public Map<String, Long> deadLetteredByCode() {
        Map<String, Long> m = new HashMap<>();
        deadByCode.forEach((k, v) -> m.put(k, v.get()));
        return m;
    }

    /** Hard-negative counts by "anchor label→negative label". */
    public Map<String, Long> hardNegativePairs() {
        Map<String, Long> m = new HashMap<>();
        hardPairs.forEach((k, v) -> m.put(k, v.get()));
        return m;
    }

    @Override
    public void close() {
        poller.close();
    }
}
