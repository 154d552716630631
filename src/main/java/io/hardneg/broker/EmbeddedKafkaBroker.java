package io.hardneg.broker;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;

import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A real single-node KRaft Kafka broker (combined broker and controller) running inside this JVM, for
 * {@code hardneg demo}, {@code hardneg serve} without a cluster, and the integration tests.
 *
 * <p>It is Kafka's own {@link KafkaRaftServer} on storage formatted the way {@code kafka-storage format}
 * does it, so transactions, compaction and consumer groups behave exactly as on a real cluster. A given data
 * directory is formatted once, when empty; later starts reuse its cluster id and everything the broker held.
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedKafkaBroker.class);

    /** Generous for a 1–6 s start on a busy laptop or CI runner; a broker that needs longer is broken. */
    static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(90);

    private final BrokerOptions options;
    private final Path dataDir;
    private final boolean ownsDataDir;
    private final int port;
    private final int controllerPort;
    private final Map<String, Integer> listenerPorts;
    private final Map<String, String> config;
    private final Map<String, Object> clientSettings;

    private volatile String clusterId; // set once by start(), before it returns the broker
    private KafkaRaftServer server; // guarded by this; null while stopped
    private boolean closed; // guarded by this

    private EmbeddedKafkaBroker(BrokerOptions options, Path dataDir, boolean ownsDataDir, int port,
                                int controllerPort, Map<String, Integer> listenerPorts,
                                Map<String, Object> clientSettings) {
        this.options = options;
        this.dataDir = dataDir;
        this.ownsDataDir = ownsDataDir;
        this.port = port;
        this.controllerPort = controllerPort;
        this.listenerPorts = Map.copyOf(listenerPorts);
        this.config = BrokerConfig.build(options, dataDir, port, controllerPort, listenerPorts);
        this.clientSettings = Map.copyOf(clientSettings);
    }

    /**
     * Formats storage if the log directory is empty (a formatted one is reused as it is), starts the broker
     * and blocks until it answers an Admin {@code describeCluster}.
     *
     * @throws BrokerStartException if the port is taken, the log directory is neither empty nor formatted for
     *                              this node, storage cannot be formatted, or the broker does
     *                              not become ready within {@link #STARTUP_TIMEOUT}
     */
    public static EmbeddedKafkaBroker start(BrokerOptions options) {
        return start(options, Map.of());
    }

    /**
     * Like {@link #start(BrokerOptions)}, for a broker whose client listener needs credentials (SASL overrides):
     * {@code clientSettings} (e.g. {@code security.protocol}, {@code sasl.mechanism}, {@code sasl.jaas.config})
     * are what the readiness probe connects with.
     */
    public static EmbeddedKafkaBroker start(BrokerOptions options, Map<String, Object> clientSettings) {
        // Resolve the ports once: restart() must come back on the same address so clients reconnect.
        int port = options.port() == 0 ? Ports.free(options.host()) : Ports.requireFree(options.host(),
                options.port());
        List<Integer> taken = new ArrayList<>(List.of(port));
        int controllerPort = Ports.free(BrokerOptions.DEFAULT_HOST, taken);
        taken.add(controllerPort);
        Map<String, Integer> listenerPorts = new LinkedHashMap<>();
        for (String name : options.listeners().keySet()) {
            int p = Ports.free(options.host(), taken);
            taken.add(p);
            listenerPorts.put(name, p);
        }
        boolean ownsDataDir = options.dataDir() == null;
        Path dataDir;
        try {
            dataDir = ownsDataDir ? Files.createTempDirectory("hardneg-kafka-") : options.dataDir();
            Files.createDirectories(dataDir);
        } catch (IOException e) {
            throw new BrokerStartException("cannot create the broker data directory "
                    + (options.dataDir() == null ? "(temp)" : options.dataDir()) + ": " + e.getMessage(), e);
        }
        EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker(options, dataDir, ownsDataDir, port,
                controllerPort, listenerPorts, clientSettings);
        try {
            broker.clusterId = StorageFormatter.formatIfNeeded(broker.config, dataDir);
            broker.launch();
            return broker;
        } catch (RuntimeException e) {
            broker.close();
            throw e;
        }
    }

    /** The address clients use: {@code host:port}. */
    public String bootstrapServers() {
        return options.host() + ":" + port;
    }

    /**
     * The address of the extra listener {@code name} (see {@link BrokerOptions#withListener}): {@code host:port}.
     *
     * @throws IllegalArgumentException if the broker has no such listener
     */
    public String bootstrapServers(String name) {
        Integer p = listenerPorts.get(name);
        if (p == null) {
            throw new IllegalArgumentException("no listener named " + name + "; this broker has "
                    + listenerPorts.keySet());
        }
        return options.host() + ":" + p;
    }

    /** The client port, fixed for this broker's life (kept across {@link #restart()}). */
    public int port() {
        return port;
    }

    /** The cluster id in the log directory: new for an empty one, the stored one for a kept data dir. */
    public String clusterId() {
        return clusterId;
    }

    /** Where the broker keeps its metadata and log segments. */
    public Path dataDir() {
        return dataDir;
    }

    /** Whether the broker is running (started and not stopped). */
    public synchronized boolean isRunning() {
        return server != null;
    }

    /** Stops the broker but keeps its port and log directory, so {@link #restart()} resumes with the data. */
    public synchronized void stop() {
        if (server == null) {
            return;
        }
        KafkaRaftServer s = server;
        server = null;
        long t0 = System.nanoTime();
        s.shutdown();
        s.awaitShutdown();
        log.info("Kafka broker at {} stopped in {} ms", bootstrapServers(), elapsedMs(t0));
    }

    /** Starts the broker again on the same port and log directory (data kept); blocks until ready. */
    public synchronized void restart() {
        if (closed) {
            throw new IllegalStateException("broker at " + bootstrapServers() + " is closed; start a new one");
        }
        stop();
        launch();
    }

    /** Stops the broker and deletes its data directory if it was a temp directory we created. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            stop();
        } finally {
            if (ownsDataDir) {
                try {
                    org.apache.kafka.common.utils.Utils.delete(dataDir.toFile());
                } catch (IOException e) {
                    log.warn("Could not delete the broker's temp dir {}: {}", dataDir, e.toString());
                }
            }
        }
    }

    private synchronized void launch() {
        long t0 = System.nanoTime();
        KafkaRaftServer s = null;
        try {
            s = new KafkaRaftServer(new KafkaConfig(config, false), Time.SYSTEM);
            s.startup();
        } catch (RuntimeException e) {
            if (s != null) {
                // A half-started server holds threads and sockets; release them before reporting.
                try {
                    s.shutdown();
                    s.awaitShutdown();
                } catch (RuntimeException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw new BrokerStartException(describeStartFailure(e), e);
        }
        server = s;
        try {
            Readiness.await(bootstrapServers(), STARTUP_TIMEOUT, clientSettings);
        } catch (RuntimeException e) {
            stop();
            throw e;
        }
        // After a kill, this broker's own restart can leave a decided transaction without markers; before any
        // client reads, such a transaction is aborted (StrandedTransactions says why that keeps exactly-once).
        StrandedTransactionRepair.run(bootstrapServers(), clientSettings);
        log.info("Kafka broker ready at {} in {} ms (cluster {}, data in {})", bootstrapServers(), elapsedMs(t0),
                clusterId, ownsDataDir ? "a temp dir" : dataDir);
    }

    private String describeStartFailure(RuntimeException e) {
        String msg = String.valueOf(e.getMessage());
        if (msg.contains("bind") || msg.contains("Address already in use")) {
            return Ports.inUseMessage(options.host(), port);
        }
        return "the embedded Kafka broker at " + bootstrapServers() + " failed to start: " + msg;
    }

    private static long elapsedMs(long t0) {
        return (System.nanoTime() - t0) / 1_000_000;
    }

    /** The controller's own port: tests use it to prove two brokers don't share a quorum. */
    int controllerPort() {
        return controllerPort;
    }
}
