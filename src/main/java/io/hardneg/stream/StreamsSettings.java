package io.hardneg.stream;

import io.hardneg.config.HardnegConfig;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.LogAndContinueProcessingExceptionHandler;

/** The Kafka Streams properties of a hardneg instance, from its configuration. */
public final class StreamsSettings {

    /** Largest record we produce: an image at the input limit, base64 three times over in a triplet, and slack. */
    private static final int MAX_REQUEST_BYTES = 48 << 20;
    /** Per partition; the producer's 32 MiB buffer.memory still bounds them all (HeapBudget counts it). */
    private static final int PRODUCER_BATCH_BYTES = 256 << 10;
    private static final int PRODUCER_LINGER_MS = 10;
    /** Records Kafka Streams buffers per input partition and returns per poll, at most (fewer for smaller batches). */
    public static final int INPUT_QUEUE_RECORDS = 64;

    private StreamsSettings() {
    }

    /** {@code buffered.records.per.partition} and {@code max.poll.records}: a batch's images, up to 64. */
    public static int inputQueueRecords(HardnegConfig config) {
        return Math.min(config.inference().batchMax(), INPUT_QUEUE_RECORDS);
    }

    /** The properties with {@code streams.threads} resolved without knowing the input's partitions. */
    public static Properties of(HardnegConfig config, String stateDir) {
        int threads = StreamThreads.resolve(config.streams().threads(), StreamThreads.PARTITIONS_UNKNOWN);
        return of(config, stateDir, threads);
    }

    /** The properties for {@code threads} stream threads ({@link StreamThreads#resolve}). */
    public static Properties of(HardnegConfig config, String stateDir, int threads) {
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, config.applicationId());
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, config.streams().processingGuarantee());
        // EOS commits are transactions; the default interval keeps end-to-end latency low at no measurable
        // throughput cost (docs/decisions/0002-commit-interval.md).
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, Long.toString(config.streams().commitIntervalMs()));
        p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, Integer.toString(threads));
        p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir);
        // Records are batched by our own store; Streams' record cache would only delay and copy them.
        p.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, "0");
        // A bug in our processor must not kill the stream: the record goes to the dead-letter topic (KIP-1034).
        p.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG,
                LogAndContinueProcessingExceptionHandler.class.getName());
        p.put(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG, Topics.DLQ.name());
        // The same for the global thread that keeps the memory bank: a corrupt bank record must not stop it.
        p.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, "true");
        p.put(StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG, OversizedRecordHandler.class.getName());
        p.put(StreamsConfig.producerPrefix(ProducerConfig.MAX_REQUEST_SIZE_CONFIG), Integer.toString(MAX_REQUEST_BYTES));
        // Batches leave on a timer instead of whenever one partition's fills: Kafka's 16 KiB batch fills with a few
        // images' bank entries and changelog records, so the producer sent a request every few images, and a broker
        // on shared cores pays per request (waking its threads) about as much as per byte. The linger stays well
        // inside the commit interval, so the commit's flush finds little left
        // (docs/decisions/0001-producer-batching-and-linger.md).
        p.put(StreamsConfig.producerPrefix(ProducerConfig.BATCH_SIZE_CONFIG), Integer.toString(PRODUCER_BATCH_BYTES));
        p.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), Integer.toString(PRODUCER_LINGER_MS));
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG), Integer.toString(4 << 20));
        // Changelogs and repartition topics are replicated like the topics of topics/ (-1: the broker's default).
        int factor = config.replication().factor();
        p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, factor > 0 ? Integer.toString(factor) : "-1");
        if (config.replication().minInsyncReplicas() > 0) {
            p.put(StreamsConfig.topicPrefix(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG),
                    Integer.toString(config.replication().minInsyncReplicas()));
        }
        // Bound the input queue (Kafka's 1000 a partition would allow 1000 images at input.max-bytes per partition on
        // the heap); HeapBudget counts on these two. Batches gather in our own store, so the queue need not hold one:
        // polls of 512 instead of 64 were no faster (docs/journal/2026-12-05-inference-batches-of-512.md).
        String queue = Integer.toString(inputQueueRecords(config));
        p.put(StreamsConfig.BUFFERED_RECORDS_PER_PARTITION_CONFIG, queue);
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.MAX_POLL_RECORDS_CONFIG), queue);
        // Anything under kafka.* is the user's and wins (security settings, tuning).
        config.kafkaOverrides().forEach(p::put);
        return p;
    }
}
