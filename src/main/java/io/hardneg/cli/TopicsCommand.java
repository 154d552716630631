package io.hardneg.cli;

import io.hardneg.topics.TopicDeclaration;
import io.hardneg.topics.TopicFiles;
import io.hardneg.topics.TopicProvisioner;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.KafkaException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;

/** {@code hardneg topics}: creates the declared topics on a cluster, or lists the declarations. */
@Command(
        name = "topics",
        mixinStandardHelpOptions = true,
        description = "Creates the topics declared in topics/ (bundled in the jar), or lists them.",
        subcommands = {TopicsCommand.Apply.class, TopicsCommand.ListTopics.class})
public final class TopicsCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        // `hardneg topics` alone is a usage error: say which subcommands exist.
        spec.commandLine().usage(spec.commandLine().getErr());
        return picocli.CommandLine.ExitCode.USAGE;
    }

    static List<TopicDeclaration> load(Path topicsDir) {
        return topicsDir == null ? TopicFiles.loadBundled() : TopicFiles.load(topicsDir);
    }

    /** The declarations as a replicated cluster gets them: the files say 1 replica, fit for one broker only. */
    static List<TopicDeclaration> load(Path topicsDir, Replication replication) {
        try {
            return load(topicsDir).stream()
                    .map(d -> d.withReplication(replication.replicationFactor, replication.minInsyncReplicas))
                    .toList();
        } catch (IllegalArgumentException e) {
            throw new picocli.CommandLine.ParameterException(replication.spec.commandLine(), e.getMessage());
        }
    }

    /** {@code --replication-factor} and {@code --min-insync-replicas}, shared by apply and list. */
    static final class Replication {

        @Spec(Spec.Target.MIXEE)
        CommandSpec spec;

        @Option(names = "--replication-factor", paramLabel = "N", defaultValue = "0",
                description = "Replicas of every topic, instead of the files' spec.replicas (0, the default: as"
                        + " declared). Use 3 on a cluster of 3 or more brokers.")
        int replicationFactor;

        @Option(names = "--min-insync-replicas", paramLabel = "N", defaultValue = "0",
                description = "min.insync.replicas of every topic (0, the default: the broker's). Use 2 with 3"
                        + " replicas: one broker may die and writes with acks=all go on.")
        int minInsyncReplicas;
    }

    /** {@code hardneg topics apply}: creates the missing topics and checks the existing ones. */
    @Command(name = "apply", mixinStandardHelpOptions = true,
            description = "Creates missing topics; refuses (exit 1) existing topics that contradict a required config.")
    static final class Apply implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT[,...]",
                description = "The Kafka cluster to create the topics on (default: bootstrap.servers from the "
                        + "configuration).")
        String bootstrapServers;

        @Mixin
        KafkaClientOptions kafka;

        @Option(names = "--topics-dir", paramLabel = "DIR",
                description = "Read the topic files from DIR instead of the ones bundled in the jar.")
        Path topicsDir;

        @Option(names = "--command-config", paramLabel = "FILE",
                description = "Kafka client properties (security.protocol, sasl.*, ssl.*) for the admin client, "
                        + "without the kafka. prefix; they win over the configuration's kafka.* settings.")
        Path commandConfig;

        @picocli.CommandLine.Mixin
        Replication replication;

        @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "30",
                description = "Give up on an unreachable cluster after this long (default: ${DEFAULT-VALUE}).")
        int timeoutSeconds;

        @Override
        public Integer call() {
            List<TopicDeclaration> declarations = load(topicsDir, replication);
            Duration timeout = Duration.ofSeconds(timeoutSeconds);
            String bootstrap = kafka.bootstrapServers(bootstrapServers, "");
            if (bootstrap.isBlank()) {
                throw new ParameterException(spec.commandLine(), "no cluster given: pass --bootstrap-servers, or "
                        + "bootstrap.servers in --config, --set or HARDNEG_BOOTSTRAP_SERVERS");
            }
            Properties props = new Properties();
            props.putAll(kafka.clientSettings());
            props.putAll(clientProperties(commandConfig));
            props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            // Bound every call so an unreachable cluster is an error within the timeout, not a hang.
            props.putIfAbsent(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, Long.toString(timeout.toMillis()));
            props.putIfAbsent(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, Long.toString(timeout.toMillis()));
            TopicProvisioner.Report report;
            try (Admin admin = createAdmin(props)) {
                report = new TopicProvisioner(admin, bootstrap, timeout).apply(declarations);
            }
            PrintWriter out = spec.commandLine().getOut();
            report.created().forEach(t -> out.println("created  " + t));
            report.existing().forEach(t -> out.println("exists   " + t));
            report.warnings().forEach(w -> out.println("warning  " + w));
            out.flush();
            return 0;
        }

        private static Admin createAdmin(Properties props) {
            try {
                return Admin.create(props);
            } catch (KafkaException e) {
                // e.g. an unresolvable host: Kafka says "Failed to create new KafkaAdminClient", we say where.
                throw new IllegalArgumentException("cannot connect to Kafka at "
                        + props.get(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG) + ": "
                        + (e.getCause() == null ? e.getMessage() : e.getCause().getMessage()), e);
            }
        }

        private static Properties clientProperties(Path file) {
            Properties props = new Properties();
            if (file == null) {
                return props;
            }
            try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                props.load(r);
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read --command-config " + file + ": " + e.getMessage(), e);
            }
            return props;
        }
    }

    /** {@code hardneg topics list}: prints the declarations; needs no broker. */
    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "Prints the declared topics with partitions, replicas and configs (no broker needed).")
    static final class ListTopics implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Option(names = "--topics-dir", paramLabel = "DIR",
                description = "Read the topic files from DIR instead of the ones bundled in the jar.")
        Path topicsDir;

        @picocli.CommandLine.Mixin
        Replication replication;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            for (TopicDeclaration d : load(topicsDir, replication)) {
                StringBuilder line = new StringBuilder()
                        .append(String.format("%-16s partitions=%d replicas=%d", d.name(), d.partitions(), d.replicas()));
                for (Map.Entry<String, String> e : d.sortedConfigs().entrySet()) {
                    line.append(' ').append(e.getKey()).append('=').append(e.getValue());
                    if (d.requiredConfigs().contains(e.getKey())) {
                        line.append("(required)");
                    }
                }
                out.println(line);
            }
            out.flush();
            return 0;
        }
    }
}
