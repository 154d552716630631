package io.hardneg.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.hardneg.broker.BrokerOptions;
import io.hardneg.broker.EmbeddedKafkaBroker;
import io.hardneg.config.ConfigLoader;
import io.hardneg.data.LabeledImages;
import io.hardneg.data.PngEncoder;
import io.hardneg.service.HardnegService;
import io.hardneg.stream.PipelineObserver;
import io.hardneg.stream.RecordHeaderNames;
import io.hardneg.stream.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

/**
 * Kafka security passes through: the in-process broker with a SASL/PLAIN client listener and ACLs (KRaft's
 * StandardAuthorizer, nothing allowed without an ACL). The service with its credentials and ACLs works end to
 * end and logs no secret; with a wrong password it fails fast naming the cause; a client without credentials,
 * or with credentials but no ACL, cannot read {@code hard-negatives}.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class SecurityIT {

    static final String ADMIN_PASSWORD = "admin-Secr3t-a1";
    static final String SERVICE_PASSWORD = "hardneg-Secr3t-s2";
    static final String READER_PASSWORD = "reader-Secr3t-r3";

    private static EmbeddedKafkaBroker broker;

    @BeforeAll
    static void startSecuredBroker() throws Exception {
        String users = "username=\"admin\" password=\"" + ADMIN_PASSWORD + "\" user_admin=\"" + ADMIN_PASSWORD
                + "\" user_hardneg=\"" + SERVICE_PASSWORD + "\" user_reader=\"" + READER_PASSWORD + "\";";
        BrokerOptions options = BrokerOptions.defaults()
                // The client listener keeps its name and speaks SASL; the controller listener stays on loopback.
                .withOverride("listener.security.protocol.map", "PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT")
                .withOverride("sasl.enabled.mechanisms", "PLAIN")
                .withOverride("sasl.mechanism.inter.broker.protocol", "PLAIN")
                .withOverride("listener.name.plaintext.plain.sasl.jaas.config",
                        "org.apache.kafka.common.security.plain.PlainLoginModule required " + users)
                .withOverride("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer")
                // ANONYMOUS is the principal of the PLAINTEXT controller listener (loopback only, same process).
                .withOverride("super.users", "User:admin;User:ANONYMOUS");
        broker = EmbeddedKafkaBroker.start(options, client("admin", ADMIN_PASSWORD));
        try (Admin admin = Admin.create(withBootstrap(client("admin", ADMIN_PASSWORD)))) {
            AccessControlEntry allowAll = new AccessControlEntry("User:hardneg", "*", AclOperation.ALL,
                    AclPermissionType.ALLOW);
            admin.createAcls(List.of(
                    new AclBinding(new ResourcePattern(ResourceType.TOPIC, "*", PatternType.LITERAL), allowAll),
                    new AclBinding(new ResourcePattern(ResourceType.GROUP, "*", PatternType.LITERAL), allowAll),
                    new AclBinding(new ResourcePattern(ResourceType.TRANSACTIONAL_ID, "*", PatternType.LITERAL), allowAll),
                    new AclBinding(new ResourcePattern(ResourceType.CLUSTER, "kafka-cluster", PatternType.LITERAL), allowAll)))
                    .all().get(30, TimeUnit.SECONDS);
        }
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    static Map<String, Object> client(String user, String password) {
        Map<String, Object> m = new HashMap<>();
        m.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SASL_PLAINTEXT");
        m.put(SaslConfigs.SASL_MECHANISM, "PLAIN");
        m.put(SaslConfigs.SASL_JAAS_CONFIG, "org.apache.kafka.common.security.plain.PlainLoginModule required username=\""
                + user + "\" password=\"" + password + "\";");
        return m;
    }

    static Map<String, Object> withBootstrap(Map<String, Object> m) {
        Map<String, Object> c = new HashMap<>(m);
        c.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        return c;
    }

    static Map<String, String> serviceConfig(String password) {
        Map<String, String> m = new HashMap<>(Map.of("bootstrap.servers", broker.bootstrapServers(),
                "application.id", "it-secure", "mining.rate-limit.per-label", "0", "output.include-images", "false",
                "http.port", "0"));
        client("hardneg", password).forEach((k, v) -> m.put(ConfigLoader.KAFKA_PREFIX + k, v.toString()));
        String model = System.getProperty("hardneg.it.model");
        if (model != null && !model.isBlank()) {
            m.put("model.path", model);
        }
        return m;
    }

    @Test
    void shouldRunEndToEndWithCredentialsAndNeverLogTheSecret() throws Exception {
        int n = 300;
        LabeledImages sample = StreamingScenario.sample(n);
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        logs.start();
        root.addAppender(logs);
        long t0 = System.nanoTime();
        try (HardnegService service = HardnegService.start(ConfigLoader.fromMap(serviceConfig(SERVICE_PASSWORD)),
                PipelineObserver.NONE)) {
            assertThat(service.awaitRunning(Duration.ofSeconds(90))).isTrue();
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(withBootstrap(client("admin", ADMIN_PASSWORD)),
                    new ByteArraySerializer(), new ByteArraySerializer())) {
                for (int i = 0; i < n; i++) {
                    ProducerRecord<byte[], byte[]> r = new ProducerRecord<>(Topics.IMAGES.name(),
                            ("img-" + i).getBytes(StandardCharsets.UTF_8), PngEncoder.gray(sample.image(i), 28, 28));
                    r.headers().add(RecordHeaderNames.LABEL, Integer.toString(sample.labels()[i]).getBytes(StandardCharsets.UTF_8));
                    producer.send(r);
                }
                producer.flush();
            }
            long embedded = awaitEmbedded(n, Duration.ofMinutes(2));
            Figures.record("security (SASL/PLAIN + ACLs)", "inputs=" + n + " embedded=" + embedded + " duration_s="
                    + (System.nanoTime() - t0) / 1_000_000_000);
            assertThat(embedded).isEqualTo(n);
        } finally {
            root.detachAppender(logs);
        }
        assertThat(logs.list).as("log lines").isNotEmpty();
        for (ILoggingEvent e : logs.list) {
            String line = e.getFormattedMessage() + (e.getThrowableProxy() == null ? "" : e.getThrowableProxy().getMessage());
            assertThat(line).as("logged by %s", e.getLoggerName())
                    .doesNotContain(SERVICE_PASSWORD).doesNotContain(ADMIN_PASSWORD);
        }
        assertThat(logs.list).as("our own kafka settings line is there, masked")
                .anyMatch(e -> e.getFormattedMessage().contains("sasl.jaas.config=[hidden]"));
    }

    @Test
    void shouldFailFastWithAClearMessageOnAWrongPassword() {
        long t0 = System.nanoTime();
        Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(() -> HardnegService.start(
                ConfigLoader.fromMap(serviceConfig("wrong-password")), PipelineObserver.NONE).close());
        long ms = (System.nanoTime() - t0) / 1_000_000;
        Figures.record("security: wrong password", "failed after ms=" + ms + " with: " + thrown);
        assertThat(thrown).as("start refused").isNotNull()
                .hasMessageContaining("Authentication failed")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("wrong-password"));
        assertThat(ms).as("fails fast").isLessThan(30_000);
    }

    @Test
    void shouldNotLetAClientWithoutCredentialsOrWithoutAclReadHardNegatives() throws Exception {
        // Given the topics exist (created by the admin)
        Map<String, Object> adminClient = withBootstrap(client("admin", ADMIN_PASSWORD));
        try (Admin admin = Admin.create(adminClient)) {
            new io.hardneg.topics.TopicProvisioner(admin, broker.bootstrapServers(),
                    io.hardneg.topics.TopicProvisioner.DEFAULT_TIMEOUT).apply(io.hardneg.topics.TopicFiles.loadBundled());
        }
        TopicPartition tp = new TopicPartition(Topics.HARD_NEGATIVES.name(), 0);
        // When a client without credentials tries: the SASL listener never lets it in
        Map<String, Object> anonymous = new HashMap<>();
        anonymous.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        anonymous.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "5000");
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(anonymous, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            assertThatThrownBy(() -> c.partitionsFor(Topics.HARD_NEGATIVES.name(), Duration.ofSeconds(5)))
                    .isInstanceOf(org.apache.kafka.common.errors.TimeoutException.class);
        }
        // And an authenticated user without an ACL is refused
        Map<String, Object> reader = withBootstrap(client("reader", READER_PASSWORD));
        reader.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "10000");
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(reader, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            assertThatThrownBy(() -> {
                for (int i = 0; i < 20; i++) {
                    c.poll(Duration.ofMillis(500));
                }
            }).isInstanceOf(TopicAuthorizationException.class);
        }
        // And a wrong password is an authentication error, not a hang
        try (Admin a = Admin.create(withBootstrap(client("reader", "nope")))) {
            assertThatThrownBy(() -> a.describeCluster().nodes().get(20, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(org.apache.kafka.common.errors.SaslAuthenticationException.class);
        }
    }

    private static long awaitEmbedded(int n, Duration timeout) throws InterruptedException {
        Map<String, Object> c = withBootstrap(client("admin", ADMIN_PASSWORD));
        long deadline = System.nanoTime() + timeout.toNanos();
        long count = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(withIsolation(c), new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> parts = consumer.partitionsFor(Topics.EMBEDDINGS.name(), Duration.ofSeconds(30)).stream()
                    .map(i -> new TopicPartition(Topics.EMBEDDINGS.name(), i.partition())).toList();
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            while (count < n && System.nanoTime() < deadline) {
                count += consumer.poll(Duration.ofMillis(200)).count();
            }
        }
        return count;
    }

    private static Map<String, Object> withIsolation(Map<String, Object> c) {
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        return c;
    }
}
