package io.hardneg.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.hardneg.config.ConfigLoader;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

class StreamsSettingsTest {

    private static final String BATCH = StreamsConfig.producerPrefix(ProducerConfig.BATCH_SIZE_CONFIG);
    private static final String LINGER = StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG);

    @Test
    void shouldSendTheProducersBatchesOnATimerRatherThanEveryFewImages() throws Exception {
        Properties p = StreamsSettings.of(ConfigLoader.fromMap(Map.of("bootstrap.servers", "unused:9092")), "/tmp/x");

        // Kafka's 16 KiB would fill with a dozen images' bank entries and changelog records
        assertThat(Integer.parseInt(p.getProperty(BATCH))).isGreaterThanOrEqualTo(256 * 1024);
        // and a linger well inside the 50 ms commit interval, so the commit's flush has little left to send
        assertThat(Integer.parseInt(p.getProperty(LINGER))).isBetween(1, 25);
    }

    @Test
    void shouldLetTheUsersKafkaSettingsWin() throws Exception {
        Properties p = StreamsSettings.of(ConfigLoader.fromMap(Map.of("bootstrap.servers", "unused:9092",
                "kafka." + BATCH, "16384", "kafka." + LINGER, "100")), "/tmp/x");

        assertThat(p.getProperty(BATCH)).isEqualTo("16384");
        assertThat(p.getProperty(LINGER)).isEqualTo("100");
    }

    @Test
    void shouldReplicateStreamsOwnTopicsLikeTheDeclaredOnesWhenTopicsReplicationIsSet() {
        // Given the replication of a 3-broker cluster
        Properties p = StreamsSettings.of(ConfigLoader.fromMap(Map.of("bootstrap.servers", "unused:9092",
                "topics.replication-factor", "3", "topics.min-insync-replicas", "2")), "/tmp/x");

        // Then changelogs and repartition topics get 3 replicas and min ISR 2 too
        assertThat(p.getProperty(StreamsConfig.REPLICATION_FACTOR_CONFIG)).isEqualTo("3");
        assertThat(p.getProperty(StreamsConfig.topicPrefix("min.insync.replicas"))).isEqualTo("2");
        // And without it, the broker's defaults, as before
        Properties defaults = StreamsSettings.of(ConfigLoader.fromMap(Map.of("bootstrap.servers", "unused:9092")),
                "/tmp/x");
        assertThat(defaults.getProperty(StreamsConfig.REPLICATION_FACTOR_CONFIG)).isEqualTo("-1");
        assertThat(defaults.getProperty(StreamsConfig.topicPrefix("min.insync.replicas"))).isNull();
    }

    @Test
    void shouldBoundTheInputQueueByTheBatchUpTo64RecordsAPartition() {
        String buffered = StreamsConfig.BUFFERED_RECORDS_PER_PARTITION_CONFIG;
        String poll = StreamsConfig.consumerPrefix(ConsumerConfig.MAX_POLL_RECORDS_CONFIG);
        // Given the default batch of 512: batches gather in the task's store, the queue stays at 64
        Properties defaults = StreamsSettings.of(ConfigLoader.fromMap(Map.of("bootstrap.servers", "unused:9092")),
                "/tmp/x");
        assertThat(defaults.getProperty(buffered)).isEqualTo("64");
        assertThat(defaults.getProperty(poll)).isEqualTo("64");
        // And a smaller batch bounds it further (per-record mode buffers one record a partition)
        Properties small = StreamsSettings.of(ConfigLoader.fromMap(Map.of("bootstrap.servers", "unused:9092",
                "inference.batch.max", "1")), "/tmp/x");
        assertThat(small.getProperty(buffered)).isEqualTo("1");
        assertThat(small.getProperty(poll)).isEqualTo("1");
    }
}
