package io.hardneg.broker;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Timeout(value = 120, unit = TimeUnit.SECONDS)
class EmbeddedKafkaBrokerIT {

    private static final String CLEANER_THROTTLE = "log.cleaner.io.max.bytes.per.second";

    @Test
    void shouldCommitTransactionsAndHideAbortedOnesFromReadCommittedConsumers() throws Exception {
        // Given a fresh broker and a topic
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(BrokerOptions.defaults())) {
            assertThat(broker.bootstrapServers()).isEqualTo("127.0.0.1:" + broker.port());
            createTopic(broker, "tx", 2);

            // When one transaction commits and one aborts
            try (KafkaProducer<String, String> producer = transactionalProducer(broker, "tx-test")) {
                producer.initTransactions();
                producer.beginTransaction();
                producer.send(new ProducerRecord<>("tx", "a", "committed-1"));
                producer.send(new ProducerRecord<>("tx", "b", "committed-2"));
                producer.commitTransaction();
                producer.beginTransaction();
                producer.send(new ProducerRecord<>("tx", "c", "aborted"));
                producer.flush();
                producer.abortTransaction();
            }

            // Then a read_committed consumer sees exactly the committed records
            assertThat(readAll(broker, "tx", 2)).containsExactlyInAnyOrder("committed-1", "committed-2");
        }
    }

    @Test
    void shouldRefuseClientsWhenStoppedAndKeepRecordsAcrossRestart() throws Exception {
        // Given a broker with a record on a topic
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(BrokerOptions.defaults())) {
            String address = broker.bootstrapServers();
            createTopic(broker, "kept", 1);
            produce(broker, "kept", "before-restart");

            // When it is stopped, clients can't reach it
            broker.stop();
            assertThat(broker.isRunning()).isFalse();
            try (Admin admin = admin(broker, 2000)) {
                assertThatThrownBy(() -> admin.describeCluster().nodes().get(5, TimeUnit.SECONDS))
                        .isInstanceOfAny(ExecutionException.class, java.util.concurrent.TimeoutException.class);
            }

            // Then after restart it is at the same address with the earlier record
            broker.restart();
            assertThat(broker.bootstrapServers()).isEqualTo(address);
            produce(broker, "kept", "after-restart");
            assertThat(readAll(broker, "kept", 2)).containsExactly("before-restart", "after-restart");
        }
    }

    @Test
    void shouldRunTwoIndependentBrokersInOneJvm() throws Exception {
        try (EmbeddedKafkaBroker one = EmbeddedKafkaBroker.start(BrokerOptions.defaults());
             EmbeddedKafkaBroker two = EmbeddedKafkaBroker.start(BrokerOptions.defaults())) {
            assertThat(one.port()).isNotEqualTo(two.port());
            createTopic(one, "only-on-one", 1);
            createTopic(two, "only-on-two", 1);
            assertThat(topics(one)).contains("only-on-one").doesNotContain("only-on-two");
            assertThat(topics(two)).contains("only-on-two").doesNotContain("only-on-one");
        }
    }

    @Test
    void shouldDeleteItsTempDirOnCloseButKeepAGivenDataDir(@TempDir Path given) throws Exception {
        EmbeddedKafkaBroker temp = EmbeddedKafkaBroker.start(BrokerOptions.defaults());
        Path tempDir = temp.dataDir();
        assertThat(tempDir).isDirectory();
        temp.close();
        assertThat(tempDir).doesNotExist();

        Path dataDir = given.resolve("kafka");
        EmbeddedKafkaBroker kept = EmbeddedKafkaBroker.start(BrokerOptions.defaults().withDataDir(dataDir));
        kept.close();
        assertThat(dataDir).isDirectory();
        assertThat(Files.list(dataDir.resolve("kafka-logs")).count()).isPositive();
    }

    /**
     * A new broker on a kept data dir, as {@code serve --data-dir} does after any restart of its process. An
     * abrupt stop can't be had in-process (KafkaRaftServer has no halt, and the live one holds the dir's lock),
     * so the kill -9 case runs {@code serve} as a child JVM in {@code ServeRestartIT}.
     */
    @Test
    void shouldKeepClusterIdAndRecordsWhenANewBrokerStartsOnTheSameDataDir(@TempDir Path given) throws Exception {
        // Given a broker on a given data dir with a topic and records, closed cleanly
        BrokerOptions options = BrokerOptions.defaults().withDataDir(given.resolve("kafka"));
        String clusterId;
        try (EmbeddedKafkaBroker first = EmbeddedKafkaBroker.start(options)) {
            clusterId = first.clusterId();
            createTopic(first, "kept", 1);
            for (int i = 0; i < 3; i++) {
                produce(first, "kept", "first-" + i);
            }
        }
        // When a new broker starts on the same dir, twice
        for (int run = 2; run <= 3; run++) {
            try (EmbeddedKafkaBroker again = EmbeddedKafkaBroker.start(options)) {
                // Then it is the same cluster, and it holds every record written before
                assertThat(again.clusterId()).isEqualTo(clusterId);
                try (Admin admin = admin(again, 10_000)) {
                    assertThat(admin.describeCluster().clusterId().get(30, TimeUnit.SECONDS)).isEqualTo(clusterId);
                }
                produce(again, "kept", "run-" + run);
                List<String> expected = new ArrayList<>(List.of("first-0", "first-1", "first-2"));
                for (int r = 2; r <= run; r++) {
                    expected.add("run-" + r);
                }
                assertThat(readAll(again, "kept", expected.size())).containsExactlyElementsOf(expected);
            }
        }
    }

    @Test
    void shouldRefuseADataDirWhoseLogDirIsNeitherEmptyNorKafkas(@TempDir Path given) throws Exception {
        // Given a data dir whose kafka-logs holds something that is not Kafka's
        Path logs = Files.createDirectories(given.resolve("kafka-logs"));
        Files.writeString(logs.resolve("notes.txt"), "not a segment");
        // Then the start fails with one line naming the directory and what to do, and leaves it untouched
        assertThatThrownBy(() -> EmbeddedKafkaBroker.start(BrokerOptions.defaults().withDataDir(given)))
                .isInstanceOf(BrokerStartException.class)
                .hasMessageContaining(logs.toString())
                .hasMessageContaining("move it away or delete it")
                .message().doesNotContain("\n");
        try (var entries = Files.list(logs)) {
            assertThat(entries.map(p -> p.getFileName().toString())).containsExactly("notes.txt");
        }
    }

    @Test
    void shouldNameThePortWhenItIsTaken() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, java.net.InetAddress.getByName("127.0.0.1"))) {
            int port = taken.getLocalPort();
            assertThatThrownBy(() -> EmbeddedKafkaBroker.start(BrokerOptions.defaults().withPort(port)))
                    .isInstanceOf(BrokerStartException.class)
                    .hasMessageContaining("port " + port)
                    .hasMessageContaining("0 to pick a free one");
        }
    }

    @Test
    void shouldThrottleTheLogCleanerUnlessOverridden() throws Exception {
        // The broker reports the value it runs with, so a name Kafka does not know would read as its default
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(BrokerOptions.defaults());
             EmbeddedKafkaBroker unthrottled = EmbeddedKafkaBroker.start(BrokerOptions.defaults()
                     .withOverride(CLEANER_THROTTLE, "1.7976931348623157E308"))) {
            assertThat(Double.parseDouble(brokerConfig(broker, CLEANER_THROTTLE))).isEqualTo(64.0 * 1024 * 1024);
            assertThat(Double.parseDouble(brokerConfig(unthrottled, CLEANER_THROTTLE))).isEqualTo(Double.MAX_VALUE);
        }
    }

    private static String brokerConfig(EmbeddedKafkaBroker broker, String name) throws Exception {
        ConfigResource node = new ConfigResource(ConfigResource.Type.BROKER, Integer.toString(BrokerConfig.NODE_ID));
        try (Admin admin = admin(broker, 10_000)) {
            return admin.describeConfigs(List.of(node)).all().get(30, TimeUnit.SECONDS).get(node).get(name).value();
        }
    }

    @Test
    void shouldApplyOverridesLast() throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(
                BrokerOptions.defaults().withOverride("auto.create.topics.enable", "true"))) {
            // an auto-created topic appears on first metadata request for it
            produce(broker, "auto-created", "x");
            assertThat(topics(broker)).contains("auto-created");
        }
    }

    static void createTopic(EmbeddedKafkaBroker broker, String name, int partitions) throws Exception {
        try (Admin admin = admin(broker, 10_000)) {
            admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
    }

    static Set<String> topics(EmbeddedKafkaBroker broker) throws Exception {
        try (Admin admin = admin(broker, 10_000)) {
            return admin.listTopics().names().get(30, TimeUnit.SECONDS);
        }
    }

    static Admin admin(EmbeddedKafkaBroker broker, int timeoutMs) {
        return Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, Integer.toString(timeoutMs),
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, Integer.toString(timeoutMs)));
    }

    private static void produce(EmbeddedKafkaBroker broker, String topic, String value) throws Exception {
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ProducerConfig.MAX_BLOCK_MS_CONFIG, "30000"),
                new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>(topic, "k", value)).get(30, TimeUnit.SECONDS);
        }
    }

    private static KafkaProducer<String, String> transactionalProducer(EmbeddedKafkaBroker broker, String txId) {
        return new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, txId,
                ProducerConfig.MAX_BLOCK_MS_CONFIG, "60000"),
                new StringSerializer(), new StringSerializer());
    }

    private static List<String> readAll(EmbeddedKafkaBroker broker, String topic, int expected) {
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "reader-" + System.nanoTime(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (System.nanoTime() < deadline && values.size() < expected) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    values.add(r.value());
                }
            }
            // a little longer, to catch records that should not be there
            for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                values.add(r.value());
            }
        }
        return values;
    }
}
