package io.hardneg.kafka;

import java.time.Duration;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Kafka consumer polled on its own daemon thread until {@link #close()}: the one place that owns the
 * poll loop, the wake-up on close and closing the consumer on its own thread (KafkaConsumer is not thread-safe).
 */
public final class ConsumerThread<K, V> implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ConsumerThread.class);

    /** Runs on the consumer's thread before the first poll (assign, seek, …). */
    @FunctionalInterface
    public interface Setup<K, V> {
        void prepare(KafkaConsumer<K, V> consumer);
    }

    /** Runs on the consumer's thread after every poll, with the records it returned (possibly none). */
    @FunctionalInterface
    public interface Handler<K, V> {
        void handle(KafkaConsumer<K, V> consumer, ConsumerRecords<K, V> records);
    }

    private final KafkaConsumer<K, V> consumer;
    private final Thread thread;
    private volatile boolean running = true;

    public ConsumerThread(String name, KafkaConsumer<K, V> consumer, Duration pollTimeout, Setup<K, V> setup,
                          Handler<K, V> handler) {
        this.consumer = consumer;
        this.thread = new Thread(() -> loop(pollTimeout, setup, handler), name);
        this.thread.setDaemon(true);
    }

    public ConsumerThread<K, V> start() {
        thread.start();
        return this;
    }

    private void loop(Duration pollTimeout, Setup<K, V> setup, Handler<K, V> handler) {
        try {
            setup.prepare(consumer);
            while (running) {
                handler.handle(consumer, consumer.poll(pollTimeout));
            }
        } catch (WakeupException e) {
            // close() woke us up
        } catch (RuntimeException e) {
            LOG.error("{} stopped: {}", thread.getName(), e.toString());
        } finally {
            consumer.close();
        }
    }

    /** Stops polling and waits (up to 10 s) for the consumer to close. */
    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
