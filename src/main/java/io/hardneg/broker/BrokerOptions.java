package io.hardneg.broker;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * How to start an {@link EmbeddedKafkaBroker}: where it listens, where it keeps its logs, and any broker
 * config overrides (applied last, so they win over our defaults).
 *
 * @param host      the address the PLAINTEXT listener binds to and advertises
 * @param port      the client port; 0 picks a free one once at start, and {@code restart()} keeps it
 * @param dataDir   where metadata and log segments live; {@code null} means a temp dir deleted on close
 * @param overrides broker configs (e.g. {@code log.retention.ms}) applied after our defaults
 */
public record BrokerOptions(String host, int port, Path dataDir, Map<String, String> overrides) {

    /** The loopback address: the embedded broker is for this machine only. */
    public static final String DEFAULT_HOST = "127.0.0.1";

    public BrokerOptions {
        Objects.requireNonNull(host, "host");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0 (pick a free one) or 1..65535, was " + port);
        }
        overrides = Map.copyOf(overrides == null ? Map.of() : overrides);
    }

    /** 127.0.0.1, a free port, a temp data dir, no overrides. */
    public static BrokerOptions defaults() {
        return new BrokerOptions(DEFAULT_HOST, 0, null, Map.of());
    }

    public BrokerOptions withHost(String newHost) {
        return new BrokerOptions(newHost, port, dataDir, overrides);
    }

    public BrokerOptions withPort(int newPort) {
        return new BrokerOptions(host, newPort, dataDir, overrides);
    }

    public BrokerOptions withDataDir(Path newDataDir) {
        return new BrokerOptions(host, port, newDataDir, overrides);
    }

    public BrokerOptions withOverride(String key, String value) {
        Map<String, String> next = new LinkedHashMap<>(overrides);
        next.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
        return new BrokerOptions(host, port, dataDir, next);
    }
}
