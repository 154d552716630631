package io.hardneg.topics;

import io.hardneg.broker.BrokerOptions;
import io.hardneg.broker.EmbeddedKafkaBroker;
import io.hardneg.cli.TopicsCommand;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TopicProvisionerIT {

    private static final List<TopicDeclaration> DECLARED = TopicFiles.loadBundled();

    private static EmbeddedKafkaBroker broker;
    private Admin admin;

    @BeforeAll
    static void startBroker() {
        broker = EmbeddedKafkaBroker.start(BrokerOptions.defaults());
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    @BeforeEach
    void cleanSlate() throws Exception {
        admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()));
        Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
        if (!existing.isEmpty()) {
            admin.deleteTopics(existing).all().get(30, TimeUnit.SECONDS);
            // Deletion is asynchronous on the broker: wait until a create of the same name would work.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!admin.listTopics().names().get(30, TimeUnit.SECONDS).isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
        }
    }

    @org.junit.jupiter.api.AfterEach
    void closeAdmin() {
        admin.close();
    }

    @Test
    void shouldCreateEveryDeclaredTopicAsDeclaredAndBeIdempotent() throws Exception {
        TopicProvisioner provisioner = new TopicProvisioner(admin, broker.bootstrapServers(), Duration.ofSeconds(30));

        // When applied to an empty cluster
        TopicProvisioner.Report first = provisioner.apply(DECLARED);

        // Then every topic is created with its partitions and configs
        assertThat(first.created()).hasSize(7).containsExactlyInAnyOrderElementsOf(
                DECLARED.stream().map(TopicDeclaration::name).toList());
        assertThat(first.existing()).isEmpty();
        // Just-created topics can take a moment to reach the broker's metadata cache.
        Map<String, TopicDescription> described = null;
        Config bank = null;
        for (int attempt = 0; bank == null; attempt++) {
            try {
                described = admin.describeTopics(first.created()).allTopicNames().get(30, TimeUnit.SECONDS);
                bank = admin.describeConfigs(List.of(new ConfigResource(ConfigResource.Type.TOPIC, "embedding-bank")))
                        .all().get(30, TimeUnit.SECONDS).values().iterator().next();
            } catch (java.util.concurrent.ExecutionException e) {
                if (attempt == 20 || !(e.getCause() instanceof org.apache.kafka.common.errors.UnknownTopicOrPartitionException)) {
                    throw e;
                }
                Thread.sleep(250);
            }
        }
        for (TopicDeclaration d : DECLARED) {
            assertThat(described.get(d.name()).partitions()).as(d.name()).hasSize(d.partitions());
        }
        assertThat(bank.get("cleanup.policy").value()).isEqualTo("compact");

        // And a second run creates nothing and finds no contradiction
        TopicProvisioner.Report second = provisioner.apply(DECLARED);
        assertThat(second.created()).isEmpty();
        assertThat(second.existing()).hasSize(7);
        assertThat(second.warnings()).isEmpty();
    }

    @Test
    void shouldRefuseABankThatDeletesInsteadOfCompacting() throws Exception {
        // Given an embedding-bank someone created with cleanup.policy=delete
        admin.createTopics(List.of(new NewTopic("embedding-bank", 1, (short) 1)
                .configs(Map.of("cleanup.policy", "delete")))).all().get(30, TimeUnit.SECONDS);
        TopicProvisioner provisioner = new TopicProvisioner(admin, broker.bootstrapServers(), Duration.ofSeconds(30));

        // When applied, Then it is refused, naming the topic, key, found and expected values
        assertThatThrownBy(() -> provisioner.apply(DECLARED))
                .isInstanceOf(TopicContradictionException.class)
                .hasMessageContaining("embedding-bank has cleanup.policy=delete, hardneg needs compact")
                .hasMessageContaining(broker.bootstrapServers())
                .satisfies(e -> assertThat(((TopicContradictionException) e).contradictions()).hasSize(1));
        // and the other topics were still created, so a fixed bank is all that is missing next time
        assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS)).hasSize(7);
    }

    @Test
    void shouldOnlyWarnAboutFewerPartitionsAndOtherTuning() throws Exception {
        admin.createTopics(List.of(new NewTopic("images", 2, (short) 1)
                .configs(Map.of("retention.ms", "1000")))).all().get(30, TimeUnit.SECONDS);
        TopicProvisioner provisioner = new TopicProvisioner(admin, broker.bootstrapServers(), Duration.ofSeconds(30));

        TopicProvisioner.Report report = provisioner.apply(DECLARED);

        assertThat(report.existing()).containsExactly("images");
        assertThat(report.created()).hasSize(6);
        assertThat(report.warnings()).containsExactlyInAnyOrder(
                "images has 2 partitions, declared 4: at most 2 instances will share its work",
                "images has max.message.bytes=" + describeDefault("images", "max.message.bytes") + ", declared 10485760",
                "images has retention.ms=1000, declared 604800000");
    }

    @Test
    void shouldApplyFromTheCommandLineAndExitOneWhenTheClusterIsUnreachable(@TempDir Path tmp) throws Exception {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new TopicsCommand()).setOut(new PrintWriter(out)).setErr(new PrintWriter(err));

        assertThat(cli.execute("apply", "--bootstrap-servers", broker.bootstrapServers())).isEqualTo(0);
        assertThat(out.toString()).contains("created  embedding-bank", "created  images");
        assertThat(cli.execute("apply", "--bootstrap-servers", broker.bootstrapServers())).isEqualTo(0);
        assertThat(out.toString()).contains("exists   embedding-bank");

        // --command-config is read and merged (a harmless client.id here)
        Path props = Files.writeString(tmp.resolve("client.properties"), "client.id=hardneg-topics-test\n");
        assertThat(cli.execute("apply", "--bootstrap-servers", broker.bootstrapServers(),
                "--command-config", props.toString())).isEqualTo(0);

        // A closed port: an error naming the address within the timeout, not a hang
        int closedPort;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        long t0 = System.nanoTime();
        int rc = cli.execute("apply", "--bootstrap-servers", "127.0.0.1:" + closedPort, "--timeout", "3");
        assertThat(rc).isEqualTo(1);
        assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0)).isLessThan(20);
        assertThat(err.toString()).contains("cannot reach Kafka at 127.0.0.1:" + closedPort);

        assertThat(cli.execute("apply", "--bootstrap-servers", "no-such-host.invalid:9092")).isEqualTo(1);
        assertThat(err.toString()).contains("cannot connect to Kafka at no-such-host.invalid:9092");

        assertThat(cli.execute("apply")).isEqualTo(2);
        assertThat(cli.execute("list")).isEqualTo(0);
        assertThat(out.toString()).contains("embedding-bank", "cleanup.policy=compact(required)");
    }

    private String describeDefault(String topic, String key) throws Exception {
        return admin.describeConfigs(List.of(new ConfigResource(ConfigResource.Type.TOPIC, topic)))
                .all().get(30, TimeUnit.SECONDS).values().iterator().next().get(key).value();
    }
}
