package io.hardneg.bench;

import io.hardneg.kafka.ConsumerThread;
import io.hardneg.stream.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Counts committed embeddings (read_committed, so a record counts once its transaction commits) and, when asked,
 * records end-to-end latency: arrival here minus the record's timestamp, which is the image's send time.
 * Deliberately light (no parsing): it shares the cores with what it measures.
 */
final class CommittedCounter implements AutoCloseable {

    private final ConsumerThread<byte[], byte[]> poller;
    private final AtomicLong count = new AtomicLong();
    private volatile long latencyFromMs = Long.MAX_VALUE;
    private final long[] latencies;
    private final long[] sentAt;
    private int latencyCount;

    CommittedCounter(String bootstrapServers, int maxLatencySamples) {
        Map<String, Object> p = new HashMap<>();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "hardneg-bench-counter-" + System.nanoTime());
        // Kafka's default fetch wait: a read_committed fetch returns as soon as a commit makes records visible, so a
        // shorter wait adds no precision, only empty fetches (with 5 ms, ~160 a second at half load, on the same
        // broker and cores the service uses).
        latencies = new long[maxLatencySamples];
        sentAt = new long[maxLatencySamples];
        poller = new ConsumerThread<>("hardneg-bench-counter",
                new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer()), Duration.ofMillis(20),
                c -> c.subscribe(List.of(Topics.EMBEDDINGS.name())), this::onPoll).start();
    }

    /** Blocks until the consumer has its partitions and positions, so nothing produced later is missed. */
    void awaitAssigned(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!assigned && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        if (!assigned) {
            throw new IllegalStateException("the bench's output counter got no partitions of 'embeddings' in " + timeout);
        }
    }

    private volatile boolean assigned;

    private void onPoll(KafkaConsumer<byte[], byte[]> consumer, ConsumerRecords<byte[], byte[]> records) {
        if (!assigned && !consumer.assignment().isEmpty()) {
            consumer.assignment().forEach(consumer::position); // resolve "latest" now
            assigned = true;
        }
        long now = System.currentTimeMillis();
        long from = latencyFromMs;
        synchronized (this) {
            for (ConsumerRecord<byte[], byte[]> r : records) {
                if (r.timestamp() >= from && latencyCount < latencies.length) {
                    sentAt[latencyCount] = r.timestamp();
                    latencies[latencyCount++] = now - r.timestamp();
                }
            }
        }
        count.addAndGet(records.count());
    }

    long count() {
        return count.get();
    }

    /** Records latency for records whose timestamp is at or after {@code fromMs}; clears earlier samples. */
    synchronized void recordLatencyFrom(long fromMs) {
        latencyCount = 0;
        latencyFromMs = fromMs;
    }

    /** The samples recorded since {@link #recordLatencyFrom}, in arrival order; stops recording. */
    synchronized Samples samples() {
        latencyFromMs = Long.MAX_VALUE;
        return new Samples(Arrays.copyOf(sentAt, latencyCount), Arrays.copyOf(latencies, latencyCount));
    }

    /** The samples since the last call (or {@link #recordLatencyFrom}), in arrival order; goes on recording. */
    synchronized Samples takeSamples() {
        Samples s = new Samples(Arrays.copyOf(sentAt, latencyCount), Arrays.copyOf(latencies, latencyCount));
        latencyCount = 0;
        return s;
    }

    /** Send time (the record's timestamp) and end-to-end latency of each sample, ms, in arrival order. */
    record Samples(long[] sentAtMs, long[] latencyMs) {

        /** The latencies, sorted, for percentiles. */
        long[] sorted() {
            long[] out = latencyMs.clone();
            Arrays.sort(out);
            return out;
        }

        /**
         * The highest median latency over windows of {@code windowMs} of send time (windows of at least 10
         * samples): a stall, in which every record waits, shows here; a steady spread does not.
         */
        double worstWindowMedian(long windowMs) {
            double worst = Double.NaN;
            for (long[] w : windows(windowMs)) {
                if (w.length >= 10) {
                    double median = Stats.percentile(w, 50);
                    worst = Double.isNaN(worst) ? median : Math.max(worst, median);
                }
            }
            return worst;
        }

        /** The latencies sent in each window of {@code windowMs} (send time / windowMs), sorted, in time order. */
        List<long[]> windows(long windowMs) {
            Map<Long, List<Long>> windows = new TreeMap<>();
            for (int i = 0; i < sentAtMs.length; i++) {
                windows.computeIfAbsent(sentAtMs[i] / windowMs, k -> new ArrayList<>()).add(latencyMs[i]);
            }
            List<long[]> out = new ArrayList<>(windows.size());
            windows.values().forEach(w -> out.add(w.stream().mapToLong(Long::longValue).sorted().toArray()));
            return out;
        }
    }

    @Override
    public void close() {
        poller.close();
    }
}
