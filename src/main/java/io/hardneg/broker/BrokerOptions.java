package io.hardneg.broker;

import java.nio.file.Path;
import java.util.Collections;
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
 * @param listeners more client listeners beside PLAINTEXT, name to security protocol (e.g. {@code SSL} to
 *                  {@code SSL}); each gets a free port on {@code host} at start, configured by {@code overrides}
 *                  such as {@code listener.name.ssl.ssl.keystore.location}
 */
public record BrokerOptions(String host, int port, Path dataDir, Map<String, String> overrides,
                            Map<String, String> listeners) {

    /** The loopback address: the embedded broker is for this machine only. */
    public static final String DEFAULT_HOST = "127.0.0.1";

    public BrokerOptions {
        Objects.requireNonNull(host, "host");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0 (pick a free one) or 1..65535, was " + port);
        }
        overrides = Map.copyOf(overrides == null ? Map.of() : overrides);
        // Insertion order kept: it is the order of the listeners in the broker's config.
        listeners = Collections.unmodifiableMap(new LinkedHashMap<>(listeners == null ? Map.of() : listeners));
        for (String name : listeners.keySet()) {
            if (!name.matches("[A-Z][A-Z0-9_]*") || name.equals(BrokerConfig.CLIENT_LISTENER)
                    || name.equals(BrokerConfig.CONTROLLER_LISTENER)) {
                throw new IllegalArgumentException("listener name must be upper case letters, digits and '_', and not "
                        + BrokerConfig.CLIENT_LISTENER + " or " + BrokerConfig.CONTROLLER_LISTENER + ", was " + name);
            }
        }
    }

    public BrokerOptions(String host, int port, Path dataDir, Map<String, String> overrides) {
        this(host, port, dataDir, overrides, Map.of());
    }

    /** 127.0.0.1, a free port, a temp data dir, no overrides. */
    public static BrokerOptions defaults() {
        return new BrokerOptions(DEFAULT_HOST, 0, null, Map.of());
    }

    public BrokerOptions withHost(String newHost) {
        return new BrokerOptions(newHost, port, dataDir, overrides, listeners);
    }

    public BrokerOptions withPort(int newPort) {
        return new BrokerOptions(host, newPort, dataDir, overrides, listeners);
    }

    public BrokerOptions withDataDir(Path newDataDir) {
        return new BrokerOptions(host, port, newDataDir, overrides, listeners);
    }

    public BrokerOptions withOverride(String key, String value) {
        Map<String, String> next = new LinkedHashMap<>(overrides);
        next.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
        return new BrokerOptions(host, port, dataDir, next, listeners);
    }

    /**
     * Adds a client listener named {@code name} speaking {@code securityProtocol} ({@code SSL}, {@code SASL_SSL},
     * {@code SASL_PLAINTEXT}); {@link EmbeddedKafkaBroker#bootstrapServers(String)} gives its address.
     */
    public BrokerOptions withListener(String name, String securityProtocol) {
        Map<String, String> next = new LinkedHashMap<>(listeners);
        next.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(securityProtocol, "securityProtocol"));
        return new BrokerOptions(host, port, dataDir, overrides, next);
    }
}
