package io.hardneg.it;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.Uuid;

/**
 * A KRaft cluster of N nodes, each a {@link KafkaClusterNode} in its own JVM (broker and controller combined, an
 * N-voter static quorum), so a test can SIGKILL one broker, or the active controller, and start it again on the
 * same ports and data.
 *
 * <p>Why child JVMs and not N {@code EmbeddedKafkaBroker}s in the test's JVM: a broker stopped in-process shuts down
 * cleanly (it hands leadership over and flushes), which is not what a crash does; only a killed process leaves
 * unflushed segments, open transactions and a session the controller must time out. And the in-process broker is a
 * one-voter node by design ({@code BrokerConfig}); a test-only launcher keeps that production class as it is.
 */
final class KafkaCluster implements AutoCloseable {

    /** Seconds on a quiet machine; minutes when three JVMs start at once on two cores shared with other builds. */
    private static final Duration READY_TIMEOUT = Duration.ofMinutes(4);

    private final Path dir;
    private final String clusterId = Uuid.randomUuid().toString();
    private final int[] clientPorts;
    private final int[] controllerPorts;
    private final Process[] processes;
    private final int[] generations;
    private final Admin admin;

    private KafkaCluster(Path dir, int nodes) throws IOException {
        this.dir = dir;
        clientPorts = new int[nodes];
        controllerPorts = new int[nodes];
        processes = new Process[nodes];
        generations = new int[nodes];
        Set<Integer> taken = new java.util.HashSet<>();
        for (int i = 0; i < nodes; i++) {
            clientPorts[i] = freePort(taken);
            controllerPorts[i] = freePort(taken);
        }
        admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000",
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "10000"));
    }

    /** Starts {@code nodes} nodes (ids 1..N) with their data under {@code dir}; blocks until all are brokers. */
    static KafkaCluster start(Path dir, int nodes) throws Exception {
        KafkaCluster c = new KafkaCluster(dir, nodes);
        try {
            for (int id = 1; id <= nodes; id++) {
                c.launch(id);
            }
            c.awaitBrokers(nodes);
            return c;
        } catch (Exception | AssertionError e) {
            c.close();
            throw e;
        }
    }

    /** Every node's client address: clients find the live ones whichever is down. */
    String bootstrapServers() {
        List<String> s = new ArrayList<>();
        for (int port : clientPorts) {
            s.add("127.0.0.1:" + port);
        }
        return String.join(",", s);
    }

    Admin admin() {
        return admin;
    }

    /** SIGKILL of node {@code id}: no controlled shutdown, no flush, the controller learns it by timeout. */
    void kill(int id) throws InterruptedException {
        Process p = processes[id - 1];
        p.destroyForcibly();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            throw new AssertionError("node " + id + " (pid " + p.pid() + ") survived SIGKILL for 30 s");
        }
    }

    /**
     * Starts node {@code id} again on its ports and data dir (as after a crash, nothing is reformatted) and waits
     * until its server has started (log recovered, registered and unfenced); returns how long that took.
     */
    Duration restart(int id) throws IOException, InterruptedException {
        if (processes[id - 1].isAlive()) {
            throw new IllegalStateException("node " + id + " is still running");
        }
        long t0 = System.nanoTime();
        launch(id);
        // Not describeCluster: a node whose death the controller has not noticed yet still looks alive there.
        Path log = logOf(id);
        long deadline = t0 + READY_TIMEOUT.toNanos();
        while (!Files.readString(log).contains(KafkaClusterNode.STARTED)) {
            if (!processes[id - 1].isAlive() || System.nanoTime() > deadline) {
                throw new AssertionError("node " + id + " did not start again; see " + log);
            }
            Thread.sleep(100);
        }
        return Duration.ofNanos(System.nanoTime() - t0);
    }

    boolean isAlive(int id) {
        return processes[id - 1].isAlive();
    }

    long pid(int id) {
        return processes[id - 1].pid();
    }

    /** The node leading the metadata quorum now, i.e. the active controller. */
    int activeController() throws Exception {
        return admin.describeMetadataQuorum().quorumInfo().get(10, TimeUnit.SECONDS).leaderId();
    }

    /** How many partitions of {@code topic} each node leads (nodes leading none are absent). */
    Map<Integer, Integer> leaderCounts(String topic) throws Exception {
        TopicDescription d = admin.describeTopics(List.of(topic)).allTopicNames().get(10, TimeUnit.SECONDS).get(topic);
        Map<Integer, Integer> counts = new TreeMap<>();
        for (TopicPartitionInfo p : d.partitions()) {
            if (p.leader() != null) {
                counts.merge(p.leader().id(), 1, Integer::sum);
            }
        }
        return counts;
    }

    /** Every topic, internal ones included, by name. */
    Map<String, TopicDescription> describeAll() throws Exception {
        Set<String> names = admin.listTopics(new ListTopicsOptions().listInternal(true)).names().get(10,
                TimeUnit.SECONDS);
        return admin.describeTopics(names).allTopicNames().get(10, TimeUnit.SECONDS);
    }

    /**
     * Waits until every partition of every topic has all its replicas in sync again (a restarted broker has caught
     * up), so the next fault starts from a healthy cluster.
     */
    Duration awaitFullIsr(Duration timeout) throws Exception {
        long t0 = System.nanoTime();
        long deadline = t0 + timeout.toNanos();
        String behind = "";
        while (System.nanoTime() < deadline) {
            try {
                behind = describeAll().values().stream()
                        .flatMap(t -> t.partitions().stream()
                                .filter(p -> p.isr().size() < p.replicas().size() || p.leader() == null)
                                .map(p -> t.name() + "-" + p.partition()))
                        .sorted().collect(Collectors.joining(","));
                if (behind.isEmpty()) {
                    return Duration.ofNanos(System.nanoTime() - t0);
                }
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                behind = e.toString();
            }
            Thread.sleep(250);
        }
        throw new AssertionError("replicas still out of sync after " + timeout + ": " + behind);
    }

    private void awaitBrokers(int n) throws Exception {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            for (int i = 0; i < processes.length; i++) {
                if (!processes[i].isAlive()) {
                    throw new AssertionError("cluster node " + (i + 1) + " exited with " + processes[i].exitValue()
                            + "; see " + logOf(i + 1));
                }
            }
            try {
                int seen = admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).size();
                if (seen == n) {
                    return;
                }
                last = seen + " of " + n + " brokers";
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                last = e.toString();
            }
            Thread.sleep(200);
        }
        throw new AssertionError("cluster not up after " + READY_TIMEOUT + ": " + last);
    }

    private void launch(int id) throws IOException {
        int i = id - 1;
        List<String> voters = new ArrayList<>();
        for (int k = 0; k < controllerPorts.length; k++) {
            voters.add((k + 1) + "@127.0.0.1:" + controllerPorts[k]);
        }
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                // Enough for the few hundred MiB of images that pass; three of these share the machine with the test.
                "-Xmx384m", "-XX:+ExitOnOutOfMemoryError",
                "-cp", System.getProperty("java.class.path"), KafkaClusterNode.class.getName(),
                Integer.toString(id), Integer.toString(clientPorts[i]), Integer.toString(controllerPorts[i]),
                String.join(",", voters), clusterId, dir.resolve("node-" + id).toString());
        Path log = Figures.DIR.resolve("cluster-node-" + id + "-" + generations[i]++ + ".log");
        Files.createDirectories(log.getParent());
        processes[i] = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    private Path logOf(int id) {
        return Figures.DIR.resolve("cluster-node-" + id + "-" + (generations[id - 1] - 1) + ".log");
    }

    /** Map of every live node's pid, for the test's log. */
    Map<Integer, Long> pids() {
        Map<Integer, Long> m = new HashMap<>();
        for (int i = 0; i < processes.length; i++) {
            if (processes[i] != null && processes[i].isAlive()) {
                m.put(i + 1, processes[i].pid());
            }
        }
        return m;
    }

    @Override
    public void close() {
        admin.close(Duration.ofSeconds(5));
        // SIGKILL: the data dir is a temp dir thrown away with the test, a clean shutdown would only cost time.
        for (Process p : processes) {
            if (p != null) {
                p.destroyForcibly();
            }
        }
        for (Process p : processes) {
            if (p != null) {
                try {
                    p.waitFor(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    /** A free port not already handed out: the OS may offer a just-closed one twice. */
    private static int freePort(Set<Integer> taken) throws IOException {
        while (true) {
            try (ServerSocket s = new ServerSocket()) {
                s.setReuseAddress(true);
                s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                if (taken.add(s.getLocalPort())) {
                    return s.getLocalPort();
                }
            }
        }
    }
}
