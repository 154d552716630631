package io.hardneg.broker;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** The embedded broker's server properties: a single combined node that still does EOS and compaction. */
final class BrokerConfig {

    static final int NODE_ID = 1;
    static final String CONTROLLER_LISTENER = "CONTROLLER";
    static final String CLIENT_LISTENER = "PLAINTEXT";

    /**
     * 32 MiB: the largest record hardneg writes is a model announcement on {@code model-updates} with the
     * ONNX bytes inline (a few MiB for the bundled CNN, headroom for bigger ones); images, triplets and
     * DLQ records stay within their topics' 10 MiB {@code max.message.bytes}. It stays far below
     * {@code socket.request.max.bytes} (100 MiB) so one request can't exhaust the broker's memory.
     */
    static final int MESSAGE_MAX_BYTES = 32 * 1024 * 1024;

    /**
     * 64 MiB/s of the log cleaner's reads and writes together. The in-process broker shares the service's cores,
     * and unthrottled the cleaner takes a whole core in bursts: about 80 s into a run at 5,400 images/s the four
     * partitions of the batch buffer's changelog roll their first 64 MiB segments together, and cleaning them at
     * 180–420 MB/s held a core for ~2 s, a stall of 0.5–1.3 s for every record. Throttled, the same passes spread over
     * ~10 s. It keeps a twofold margin at the saturated rate (~10,000 images/s write ~15 MB/s to compacted topics,
     * which the cleaner reads twice), so compaction still keeps up.
     */
    static final long CLEANER_IO_BYTES_PER_SECOND = 64L * 1024 * 1024;

    private BrokerConfig() {
    }

    /** {@code listenerPorts}: the port of each of {@code options.listeners()}, by name. */
    static Map<String, String> build(BrokerOptions options, Path dataDir, int port, int controllerPort,
                                     Map<String, Integer> listenerPorts) {
        StringBuilder listeners = new StringBuilder(CLIENT_LISTENER + "://" + options.host() + ":" + port);
        StringBuilder advertised = new StringBuilder(listeners);
        StringBuilder protocols = new StringBuilder(CLIENT_LISTENER + ":PLAINTEXT," + CONTROLLER_LISTENER
                + ":PLAINTEXT");
        options.listeners().forEach((name, protocol) -> {
            String address = name + "://" + options.host() + ":" + listenerPorts.get(name);
            listeners.append(',').append(address);
            advertised.append(',').append(address);
            protocols.append(',').append(name).append(':').append(protocol);
        });
        Map<String, String> p = new LinkedHashMap<>();
        p.put("process.roles", "broker,controller");
        p.put("node.id", Integer.toString(NODE_ID));
        // A static one-voter quorum: nothing to bootstrap, and the metadata log survives a changed
        // controller port when a kept data dir is reused with port 0.
        p.put("controller.quorum.voters", NODE_ID + "@" + BrokerOptions.DEFAULT_HOST + ":" + controllerPort);
        p.put("controller.listener.names", CONTROLLER_LISTENER);
        p.put("listeners", listeners + "," + CONTROLLER_LISTENER + "://" + BrokerOptions.DEFAULT_HOST + ":"
                + controllerPort);
        p.put("advertised.listeners", advertised.toString());
        p.put("listener.security.protocol.map", protocols.toString());
        // The node talks to itself on PLAINTEXT (loopback, or the host it was told): the extra listeners are
        // for the clients under test, and their credentials stay theirs.
        p.put("inter.broker.listener.name", CLIENT_LISTENER);
        p.put("log.dirs", logDir(dataDir).toString());

        // Topics are declared in topics/ and created on purpose; a typo must fail, not make a topic.
        p.put("auto.create.topics.enable", "false");
        p.put("num.partitions", "1");
        p.put("default.replication.factor", "1");
        p.put("min.insync.replicas", "1");
        // One node: the internal topics' default replication factor 3 would never be satisfied, and
        // exactly_once_v2 needs __transaction_state with min ISR 1.
        p.put("offsets.topic.replication.factor", "1");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        // 50 partitions each only cost start-up time and file handles on one node.
        p.put("offsets.topic.num.partitions", "5");
        p.put("transaction.state.log.num.partitions", "5");
        // Nobody else is joining: the 3 s wait for more members only slows demo and tests.
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("message.max.bytes", Integer.toString(MESSAGE_MAX_BYTES));
        // The cleaner allocates this buffer on start (default 128 MiB of our heap); our compacted topics
        // hold thousands of keys, and 16 MiB dedupes ~600k per pass.
        p.put("log.cleaner.dedupe.buffer.size", Integer.toString(16 * 1024 * 1024));
        p.put("log.cleaner.io.max.bytes.per.second", Long.toString(CLEANER_IO_BYTES_PER_SECOND));

        p.putAll(options.overrides());
        return p;
    }

    static Path logDir(Path dataDir) {
        return dataDir.resolve("kafka-logs");
    }
}
