package io.hardneg.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.common.utils.Time;

/**
 * One node of {@link KafkaCluster}: Kafka's own {@link KafkaRaftServer} as broker and controller in one JVM, the
 * process a test kills with SIGKILL. Arguments: node id, client port, controller port, the voters
 * ({@code 1@127.0.0.1:PORT,...}), the cluster id and the data dir; it formats an empty data dir and starts a
 * formatted one as it is, as an operator's {@code kafka-storage format} once and {@code kafka-server-start} after.
 */
final class KafkaClusterNode {

    /** Printed on stdout once the server has started; the parent waits for the cluster through Admin anyway. */
    static final String STARTED = "cluster node started";

    private KafkaClusterNode() {
    }

    public static void main(String[] args) throws Exception {
        int nodeId = Integer.parseInt(args[0]);
        int clientPort = Integer.parseInt(args[1]);
        int controllerPort = Integer.parseInt(args[2]);
        String voters = args[3];
        String clusterId = args[4];
        Path dataDir = Path.of(args[5]);
        int nodes = voters.split(",").length;
        Map<String, String> config = config(nodeId, clientPort, controllerPort, voters, dataDir, nodes);
        Path logDir = dataDir.resolve("kafka-logs");
        if (!Files.isRegularFile(logDir.resolve("meta.properties"))) {
            format(config, dataDir, clusterId);
        }
        KafkaRaftServer server = new KafkaRaftServer(new KafkaConfig(config, false), Time.SYSTEM);
        Runtime.getRuntime().addShutdownHook(new Thread(server::shutdown, "node-" + nodeId + "-shutdown"));
        server.startup();
        System.out.println(STARTED + " " + nodeId);
        server.awaitShutdown();
    }

    /**
     * A production-shaped node: the internal topics replicated to all nodes with one allowed to be missing (RF 3,
     * min ISR 2), so losing a broker loses neither data nor availability.
     */
    static Map<String, String> config(int nodeId, int clientPort, int controllerPort, String voters, Path dataDir,
                                      int nodes) {
        String replicas = Integer.toString(nodes);
        String minIsr = Integer.toString(Math.max(1, nodes - 1));
        Map<String, String> p = new LinkedHashMap<>();
        p.put("process.roles", "broker,controller");
        p.put("node.id", Integer.toString(nodeId));
        // A static quorum: every node knows the voters up front, nothing to bootstrap or reconfigure.
        p.put("controller.quorum.voters", voters);
        p.put("controller.listener.names", "CONTROLLER");
        p.put("listeners", "PLAINTEXT://127.0.0.1:" + clientPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + clientPort);
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("log.dirs", dataDir.resolve("kafka-logs").toString());
        p.put("auto.create.topics.enable", "false");
        // default.replication.factor stays Kafka's 1: every topic hardneg or Kafka Streams creates must get its 3
        // replicas from hardneg's own settings, and the test checks that they did. The broker-wide min ISR covers
        // __consumer_offsets, which has no setting of its own; hardneg's topics must carry theirs (checked too).
        p.put("min.insync.replicas", minIsr);
        p.put("offsets.topic.replication.factor", replicas);
        p.put("transaction.state.log.replication.factor", replicas);
        p.put("transaction.state.log.min.isr", minIsr);
        p.put("share.coordinator.state.topic.replication.factor", replicas);
        p.put("share.coordinator.state.topic.min.isr", minIsr);
        // Fewer internal partitions than the 50 default: three JVMs share two cores, and start-up and leader moves
        // scale with partitions; 5 keep several coordinators per broker.
        p.put("offsets.topic.num.partitions", "5");
        p.put("transaction.state.log.num.partitions", "5");
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("message.max.bytes", Integer.toString(32 << 20));
        p.put("log.cleaner.dedupe.buffer.size", Integer.toString(16 << 20));
        // Everything else (broker.session.timeout.ms 9 s, replica.lag.time.max.ms 30 s, unclean election off) is
        // Kafka's default, so the recovery times measured are those a default cluster gives.
        return p;
    }

    private static void format(Map<String, String> config, Path dataDir, String clusterId) throws IOException {
        Files.createDirectories(dataDir);
        Path props = dataDir.resolve("format.properties");
        Properties p = new Properties();
        p.putAll(config);
        try (Writer w = Files.newBufferedWriter(props, StandardCharsets.UTF_8)) {
            p.store(w, "cluster node storage format");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int rc;
        try (PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8)) {
            rc = StorageTool.execute(new String[] {"format", "--config", props.toString(), "--cluster-id", clusterId},
                    ps);
        }
        if (rc != 0) {
            throw new IllegalStateException("kafka-storage format exited with " + rc + ": "
                    + out.toString(StandardCharsets.UTF_8));
        }
    }
}
