package io.hardneg.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hardneg.broker.BrokerOptions;
import io.hardneg.broker.EmbeddedKafkaBroker;
import io.hardneg.cli.Main;
import io.hardneg.config.ConfigLoader;
import io.hardneg.data.LabeledImages;
import io.hardneg.data.PngEncoder;
import io.hardneg.service.HardnegService;
import io.hardneg.stream.PipelineObserver;
import io.hardneg.stream.Topics;
import io.hardneg.topics.TopicFiles;
import io.hardneg.topics.TopicProvisioner;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * TLS end to end: the in-process broker with an {@code SSL} listener that requires a client certificate (mutual TLS)
 * and a {@code SASL_SSL} listener (PLAIN over TLS), certificates made by a CA generated here. The service,
 * {@code topics apply}, {@code produce}, {@code model publish} and {@code retrain.py} connect with configuration
 * only; a client without a certificate, or with one from another CA, is refused; no password or JAAS config shows in
 * logs, {@code /health}, command output or error messages.
 *
 * <p>The broker keeps its PLAINTEXT listener on loopback for itself (inter-broker traffic and the start-up probe);
 * every client here connects to the secured listeners only.
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class TlsIT {

    // Every secret is a distinct marker, so a leak names its source.
    static final String CA_PASSWORD = "ca-Secr3t-a1";
    static final String BROKER_STORE_PASSWORD = "broker-Ks-Secr3t-b2";
    static final String TRUST_PASSWORD = "trust-Secr3t-t3";
    static final String SERVICE_STORE_PASSWORD = "service-Ks-Secr3t-s4";
    static final String RETRAIN_STORE_PASSWORD = "retrain-Ks-Secr3t-r5";
    static final String ROGUE_STORE_PASSWORD = "rogue-Ks-Secr3t-x6";
    static final String PRODUCER_SASL_PASSWORD = "producer-Sasl-Secr3t-p7";
    static final List<String> SECRETS = List.of(CA_PASSWORD, BROKER_STORE_PASSWORD, TRUST_PASSWORD,
            SERVICE_STORE_PASSWORD, RETRAIN_STORE_PASSWORD, ROGUE_STORE_PASSWORD, PRODUCER_SASL_PASSWORD);

    static final Path PYTHON = Path.of("/usr/bin/python3");

    @TempDir
    static Path dir;

    static TestCertificates ca;
    static TestCertificates.Store truststore;
    static TestCertificates.Store serviceStore;
    static TestCertificates.Store rogueStore;
    static EmbeddedKafkaBroker broker;
    static String ssl;
    static String saslSsl;

    @BeforeAll
    static void startBrokerWithTlsListeners() throws Exception {
        ca = TestCertificates.authority(dir, "hardneg", CA_PASSWORD);
        TestCertificates.Store brokerStore = ca.leaf("broker", BROKER_STORE_PASSWORD);
        truststore = ca.truststore(TRUST_PASSWORD);
        serviceStore = ca.leaf("service", SERVICE_STORE_PASSWORD);
        // Another CA's client: a well-formed certificate the broker has no reason to trust.
        rogueStore = TestCertificates.authority(dir, "rogue", CA_PASSWORD).leaf("intruder", ROGUE_STORE_PASSWORD);

        BrokerOptions options = BrokerOptions.defaults()
                .withListener("SSL", "SSL")
                .withListener("SASL_SSL", "SASL_SSL")
                .withOverride("listener.name.ssl.ssl.client.auth", "required")
                .withOverride("sasl.enabled.mechanisms", "PLAIN")
                .withOverride("listener.name.sasl_ssl.plain.sasl.jaas.config",
                        "org.apache.kafka.common.security.plain.PlainLoginModule required user_producer=\""
                                + PRODUCER_SASL_PASSWORD + "\";");
        for (String listener : List.of("ssl", "sasl_ssl")) {
            String p = "listener.name." + listener + ".";
            options = options.withOverride(p + "ssl.keystore.location", brokerStore.path().toString())
                    .withOverride(p + "ssl.keystore.password", BROKER_STORE_PASSWORD)
                    .withOverride(p + "ssl.key.password", BROKER_STORE_PASSWORD)
                    .withOverride(p + "ssl.truststore.location", truststore.path().toString())
                    .withOverride(p + "ssl.truststore.password", TRUST_PASSWORD);
        }
        broker = EmbeddedKafkaBroker.start(options);
        ssl = broker.bootstrapServers("SSL");
        saslSsl = broker.bootstrapServers("SASL_SSL");
        try (Admin admin = Admin.create(client(mutualTls(serviceStore)))) {
            new TopicProvisioner(admin, ssl, TopicProvisioner.DEFAULT_TIMEOUT).apply(TopicFiles.loadBundled());
        }
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    /** Kafka client settings for mutual TLS with {@code store}'s certificate (no {@code kafka.} prefix). */
    static Map<String, String> mutualTls(TestCertificates.Store store) {
        Map<String, String> m = new HashMap<>(Map.of("security.protocol", "SSL",
                "ssl.truststore.location", truststore.path().toString(), "ssl.truststore.password", TRUST_PASSWORD));
        if (store != null) {
            m.put("ssl.keystore.location", store.path().toString());
            m.put("ssl.keystore.password", store.password());
            m.put("ssl.key.password", store.password());
        }
        return m;
    }

    static Map<String, Object> client(Map<String, String> security) {
        Map<String, Object> m = new HashMap<>(security);
        m.put("bootstrap.servers", ssl);
        m.put("default.api.timeout.ms", "15000");
        m.put("request.timeout.ms", "15000");
        return m;
    }

    /** The service's properties file: the cluster and the kafka.* security settings, nothing else. */
    static Path serviceConfigFile() throws Exception {
        List<String> lines = new ArrayList<>(List.of("bootstrap.servers=" + ssl));
        mutualTls(serviceStore).forEach((k, v) -> lines.add(ConfigLoader.KAFKA_PREFIX + k + "=" + v));
        return TestCertificates.properties(dir.resolve("hardneg-tls.properties"), lines);
    }

    /** {@code --set} arguments for SASL_SSL with PLAIN; the broker's certificate is checked against the CA's PEM. */
    static List<String> saslSslSettings(String password) {
        return List.of("--set", "bootstrap.servers=" + saslSsl,
                "--set", "kafka.security.protocol=SASL_SSL",
                "--set", "kafka.sasl.mechanism=PLAIN",
                "--set", "kafka.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required "
                        + "username=\"producer\" password=\"" + password + "\";",
                "--set", "kafka.ssl.truststore.type=PEM",
                "--set", "kafka.ssl.truststore.location=" + ca.caPem());
    }

    /** What one command line run left on stdout and stderr (logs included: they go to stderr). */
    record Run(int exitCode, String out, String err) {
    }

    static Run cli(List<String> args) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        int code;
        try {
            System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
            code = Main.run(args.toArray(String[]::new));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
        Run r = new Run(code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
        System.err.println("hardneg " + String.join(" ", args.subList(0, 2)) + " -> " + code + "\n" + r.out()
                + r.err());
        return r;
    }

    static void assertNoSecret(String what, String text) {
        for (String s : SECRETS) {
            assertThat(text).as("%s shows no secret", what).doesNotContain(s);
        }
    }

    static ListAppender<ILoggingEvent> captureLogs() {
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        logs.start();
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).addAppender(logs);
        return logs;
    }

    static void assertNoSecretLogged(ListAppender<ILoggingEvent> logs) {
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(logs);
        assertThat(logs.list).as("log events").isNotEmpty();
        for (ILoggingEvent e : logs.list) {
            StringBuilder line = new StringBuilder(e.getFormattedMessage());
            for (var t = e.getThrowableProxy(); t != null; t = t.getCause()) {
                line.append(' ').append(t.getMessage());
            }
            assertNoSecret("a log line of " + e.getLoggerName(), line.toString());
        }
    }

    @Test
    void shouldRunServiceAndCommandsOverTlsWithConfigurationOnlyAndNeverShowASecret() throws Exception {
        ListAppender<ILoggingEvent> logs = captureLogs();
        // Kafka logs every client's configuration at INFO: let it, so the test sees what a verbose deployment would.
        Logger configLog = (Logger) LoggerFactory.getLogger("org.apache.kafka.common.config.AbstractConfig");
        Level before = configLog.getLevel();
        configLog.setLevel(Level.INFO);
        try {
            Path config = serviceConfigFile();
            // Given topics applied over mutual TLS from the service's properties file alone (no --bootstrap-servers)
            Run topics = cli(List.of("topics", "apply", "--config", config.toString()));
            assertThat(topics.exitCode()).as("topics apply: %s", topics.err()).isZero();
            assertThat(topics.out()).contains("exists   images").contains("exists   hard-negatives");

            // When the service starts from the same file (plus test-only knobs)
            Map<String, String> knobs = Map.of("application.id", "it-tls", "http.port", "0",
                    "mining.rate-limit.per-label", "0", "output.include-images", "false");
            try (HardnegService service = HardnegService.start(ConfigLoader.load(config, Map.of(), knobs),
                    PipelineObserver.NONE)) {
                assertThat(service.awaitRunning(Duration.ofSeconds(90))).as("service RUNNING over mTLS").isTrue();

                // And `produce` sends over SASL_SSL, configured by --set alone
                List<String> produce = new ArrayList<>(List.of("produce", "--sample", "--limit", "200"));
                produce.addAll(saslSslSettings(PRODUCER_SASL_PASSWORD));
                Run sent = cli(produce);
                assertThat(sent.exitCode()).as("produce: %s", sent.err()).isZero();
                assertThat(sent.out()).contains("sent 200 images to 'images' on " + saslSsl);

                // Then every image is embedded
                assertThat(countWithin(Topics.EMBEDDINGS.name(), 200, Duration.ofMinutes(2)))
                        .as("embeddings read over mTLS").isEqualTo(200);

                // And /health answers without a secret
                HttpResponse<String> health = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + service.httpPort() + "/health")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(health.statusCode()).isEqualTo(200);
                assertThat(health.body()).contains("RUNNING");
                assertNoSecret("/health", health.body());

                // And `model publish` reaches model-updates over mutual TLS from the file
                Run published = cli(List.of("model", "publish", "src/main/resources/models/fashion-triplet/1",
                        "--config", config.toString()));
                assertThat(published.exitCode()).as("model publish: %s", published.err()).isZero();
                assertThat(published.out()).contains("to model-updates on " + ssl);
                assertThat(readAll(Topics.MODEL_UPDATES.name(), serviceStore)).as("announcements").isNotEmpty();

                assertNoSecret("topics apply", topics.out() + topics.err());
                assertNoSecret("produce", sent.out() + sent.err());
                assertNoSecret("model publish", published.out() + published.err());
                assertNoSecret("the service's configuration", service.config().toString());
            }
        } finally {
            configLog.setLevel(before);
            assertNoSecretLogged(logs);
        }
        assertThat(logs.list).as("our settings line, masked").anyMatch(e -> e.getFormattedMessage()
                .contains("ssl.keystore.password=[hidden]")
                && e.getFormattedMessage().contains("ssl.key.password=[hidden]"));
        assertThat(logs.list).as("Kafka's own configuration dump, masked").anyMatch(e -> e.getFormattedMessage()
                .contains("ssl.keystore.password = [hidden]"));
    }

    @Test
    void shouldRefuseClientsWithoutAValidCertificateAndNameNoSecret() throws Exception {
        ListAppender<ILoggingEvent> logs = captureLogs();
        try {
            // A client that trusts the broker but shows no certificate, and one whose certificate another CA signed
            for (TestCertificates.Store store : java.util.Arrays.asList(null, rogueStore)) {
                try (Admin admin = Admin.create(client(mutualTls(store)))) {
                    Throwable refused = catchThrowable(() -> admin.describeCluster().nodes().get(30, TimeUnit.SECONDS));
                    assertThat(refused).as("client with %s", store == null ? "no certificate" : "a rogue certificate")
                            .isInstanceOf(ExecutionException.class)
                            .hasCauseInstanceOf(SslAuthenticationException.class);
                    assertNoSecret("the refusal", String.valueOf(refused));
                }
            }

            // `produce` with the rogue certificate: exit 1 and a message without the password
            List<String> rogue = new ArrayList<>(List.of("produce", "--sample", "--limit", "5",
                    "--set", "bootstrap.servers=" + ssl, "--set", "kafka.max.block.ms=15000"));
            mutualTls(rogueStore).forEach((k, v) -> rogue.addAll(List.of("--set", "kafka." + k + "=" + v)));
            Run refused = cli(rogue);
            assertThat(refused.exitCode()).as("produce with a rogue certificate: %s", refused.err()).isEqualTo(1);
            assertThat(refused.err()).contains("hardneg produce: error:").contains("bad_certificate");
            assertNoSecret("produce's error", refused.out() + refused.err());

            // `topics apply` with a wrong SASL password: an authentication error, not the password
            List<String> wrong = new ArrayList<>(List.of("topics", "apply", "--timeout", "15"));
            wrong.addAll(saslSslSettings(ROGUE_STORE_PASSWORD));
            Run denied = cli(wrong);
            assertThat(denied.exitCode()).as("topics apply with a wrong password: %s", denied.err()).isEqualTo(1);
            assertThat(denied.err()).contains("Authentication failed");
            assertNoSecret("topics apply's error", denied.out() + denied.err());

            // The service with a wrong keystore password stops at start-up, naming neither password
            Map<String, String> bad = new HashMap<>(Map.of("bootstrap.servers", ssl, "application.id", "it-tls-bad",
                    "http.port", "0"));
            mutualTls(serviceStore).forEach((k, v) -> bad.put("kafka." + k, v));
            bad.put("kafka.ssl.keystore.password", ROGUE_STORE_PASSWORD);
            Throwable failed = catchThrowable(() -> HardnegService.start(ConfigLoader.fromMap(bad),
                    PipelineObserver.NONE).close());
            assertThat(failed).as("service start with a wrong keystore password").isNotNull();
            StringBuilder chain = new StringBuilder();
            for (Throwable t = failed; t != null; t = t.getCause()) {
                chain.append(t).append(" | ");
            }
            assertThat(chain.toString()).containsIgnoringCase("keystore");
            assertNoSecret("the service's start-up error", chain.toString());
        } finally {
            assertNoSecretLogged(logs);
        }
    }

    @Test
    void shouldRetrainOverMutualTlsWithAKafkaConfigFileAndRefuseARogueCertificate() throws Exception {
        assumeTrue(Files.isExecutable(PYTHON), "/usr/bin/python3 is needed for retrain.py");
        Process probe = new ProcessBuilder(PYTHON.toString(), "-c", "import confluent_kafka, torch")
                .redirectErrorStream(true).start();
        assumeTrue(probe.waitFor(60, TimeUnit.SECONDS) && probe.exitValue() == 0,
                "retrain.py needs Debian's python3-confluent-kafka and python3-torch: "
                        + new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip());
        TestCertificates.Store retrainStore = ca.leaf("retrain", RETRAIN_STORE_PASSWORD);
        // Given triplets on hard-negatives (written here: this test is about the connection, not the mining)
        int n = 16;
        writeTriplets(n);

        // When retrain.py reads and publishes with librdkafka settings from a file: PEM CA, PKCS#12 client keystore
        Path kafkaConfig = TestCertificates.properties(dir.resolve("retrain-kafka.properties"), List.of(
                "# librdkafka settings for mutual TLS", "security.protocol=SSL",
                "ssl.ca.location=" + ca.caPem(), "ssl.keystore.location=" + retrainStore.path(),
                "ssl.keystore.password=" + RETRAIN_STORE_PASSWORD));
        Retrain ok = retrain(List.of("--kafka-config", kafkaConfig.toString(), "--budget", Integer.toString(n),
                "--min-triplets", Integer.toString(n), "--steps", "2", "--batch", "8", "--replay", "0",
                "--val-size", "200", "--guard-tolerance", "1", "--idle-timeout", "5"));
        assertThat(ok.exitCode()).as("retrain.py exit status:\n%s", ok.output()).isZero();
        assertThat(ok.output()).contains("collected " + n + " triplets").contains("published fashion-triplet v2")
                .contains("ssl.keystore.password=[hidden]");
        assertNoSecret("retrain.py's output", ok.output());
        assertThat(readAll(Topics.MODEL_UPDATES.name(), serviceStore)).as("announcements on model-updates")
                .anyMatch(r -> json(r.value()).path("version").asText().equals("2"));

        // And with another CA's certificate (given by -X, which the log masks) it fails instead of waiting
        Path rogueConfig = TestCertificates.properties(dir.resolve("rogue-kafka.properties"), List.of(
                "security.protocol=SSL", "ssl.ca.location=" + ca.caPem(),
                "ssl.keystore.location=" + rogueStore.path()));
        Retrain refused = retrain(List.of("--kafka-config", rogueConfig.toString(),
                "-X", "ssl.keystore.password=" + ROGUE_STORE_PASSWORD, "--group-id", "it-tls-rogue",
                "--idle-timeout", "60"));
        assertThat(refused.exitCode()).as("retrain.py with a rogue certificate:\n%s", refused.output()).isEqualTo(1);
        assertThat(refused.output()).contains("failed, offsets not committed")
                .contains("ssl.keystore.password=[hidden]");
        assertNoSecret("retrain.py's refusal", refused.output());
    }

    record Retrain(int exitCode, String output) {
    }

    static Retrain retrain(List<String> args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(PYTHON.toString(), "src/main/python/retrain.py",
                "--bootstrap-servers", ssl, "--out", dir.resolve("models").toString()));
        if (!args.contains("--group-id")) {
            cmd.addAll(List.of("--group-id", "it-tls-retrain"));
        }
        cmd.addAll(args);
        Path log = Files.createTempFile(dir, "retrain-", ".log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        boolean done = p.waitFor(150, TimeUnit.SECONDS);
        if (!done) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        String out = Files.readString(log);
        System.err.println(out);
        assertThat(done).as("retrain.py finished in time:\n%s", out).isTrue();
        return new Retrain(p.exitValue(), out);
    }

    /** Triplet records as the service writes them, with Fashion-MNIST images, sent over mutual TLS. */
    static void writeTriplets(int n) throws Exception {
        LabeledImages sample = StreamingScenario.sample(3 * n + 30);
        ObjectMapper mapper = new ObjectMapper();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(client(mutualTls(serviceStore)),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < n; i++) {
                int a = 3 * i;
                int pos = indexWithLabel(sample, sample.labels()[a], a + 1, true);
                int neg = indexWithLabel(sample, sample.labels()[a], a + 1, false);
                ObjectNode t = mapper.createObjectNode().put("kind", "hard").put("model_version", "1");
                t.set("anchor", member(mapper, sample, a));
                t.set("positive", member(mapper, sample, pos));
                t.set("negative", member(mapper, sample, neg));
                producer.send(new ProducerRecord<>(Topics.HARD_NEGATIVES.name(),
                        ("img-" + a).getBytes(StandardCharsets.UTF_8), mapper.writeValueAsBytes(t))).get();
            }
        }
    }

    private static int indexWithLabel(LabeledImages s, int label, int from, boolean same) {
        for (int i = from; i < s.labels().length; i++) {
            if ((s.labels()[i] == label) == same) {
                return i;
            }
        }
        throw new IllegalStateException("no image " + (same ? "with" : "without") + " label " + label);
    }

    private static ObjectNode member(ObjectMapper mapper, LabeledImages s, int i) {
        return mapper.createObjectNode().put("id", "img-" + i).put("label", Integer.toString(s.labels()[i]))
                .put("image", Base64.getEncoder().encodeToString(PngEncoder.gray(s.image(i), 28, 28)));
    }

    private static JsonNode json(byte[] value) {
        try {
            return new ObjectMapper().readTree(value);
        } catch (java.io.IOException e) {
            throw new AssertionError("not JSON", e);
        }
    }

    static List<ConsumerRecord<byte[], byte[]>> readAll(String topic, TestCertificates.Store store) {
        Map<String, Object> c = client(mutualTls(store));
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Integer.toString(40 << 20));
        c.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, Integer.toString(40 << 20));
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> parts = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(i -> new TopicPartition(topic, i.partition())).toList();
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            Map<TopicPartition, Long> end = consumer.endOffsets(parts, Duration.ofSeconds(30));
            List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (parts.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp)) && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
            }
            return out;
        }
    }

    private static long countWithin(String topic, long n, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long count = 0;
        while (System.nanoTime() < deadline) {
            count = readAll(topic, serviceStore).size();
            if (count >= n) {
                return count;
            }
            Thread.sleep(500);
        }
        return count;
    }
}
