package io.hardneg.producer;

import io.hardneg.stream.RecordHeaderNames;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** Sends images to the {@code images} topic with their label header, optionally paced to a rate. */
public final class ImageSender implements AutoCloseable {

    private final KafkaProducer<byte[], byte[]> producer;
    private final String topic;
    private final double ratePerSecond;
    private final AtomicLong acked = new AtomicLong();
    private final AtomicReference<Exception> firstError = new AtomicReference<>();
    private long sent;
    private long startNanos;

    /** {@code ratePerSecond <= 0} sends as fast as the producer can. */
    public ImageSender(String bootstrapServers, String topic, double ratePerSecond, Map<String, Object> overrides) {
        Map<String, Object> p = new HashMap<>();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(16 << 20));
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "30000");
        p.putAll(overrides);
        this.producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
        this.topic = topic;
        this.ratePerSecond = ratePerSecond;
    }

    public void send(LabeledImage image) {
        throwIfFailed();
        if (sent == 0) {
            startNanos = System.nanoTime();
        }
        if (ratePerSecond > 0) {
            long due = startNanos + (long) (sent * 1e9 / ratePerSecond);
            long wait = due - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
        }
        RecordHeaders headers = new RecordHeaders();
        if (image.label() != null) {
            headers.add(RecordHeaderNames.LABEL, image.label().getBytes(StandardCharsets.UTF_8));
        }
        byte[] key = image.id() == null ? null : image.id().getBytes(StandardCharsets.UTF_8);
        producer.send(new ProducerRecord<>(topic, null, key, image.bytes(), headers), (md, e) -> {
            if (e != null) {
                firstError.compareAndSet(null, e);
            } else {
                acked.incrementAndGet();
            }
        });
        sent++;
    }

    /** Waits for every send to be acknowledged; throws the first failure. */
    public void flush() {
        producer.flush();
        throwIfFailed();
    }

    /** The producer's own metrics (its waits, for one: the bench places latency stalls with them). */
    public Map<MetricName, ? extends Metric> metrics() {
        return producer.metrics();
    }

    public long acked() {
        return acked.get();
    }

    private void throwIfFailed() {
        Exception e = firstError.get();
        if (e != null) {
            throw new IllegalStateException("sending to '" + topic + "' failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        producer.close();
    }
}
