package io.hardneg.broker;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.Collection;
import java.util.function.IntSupplier;

/** Finds free ports and explains taken ones. */
final class Ports {

    /** Probes for a port other than the taken ones before giving up. */
    private static final int ATTEMPTS = 20;

    private Ports() {
    }

    /** A port free right now on {@code host}; another process could take it before we bind, rarely. */
    static int free(String host) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getByName(host), 0));
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new BrokerStartException("cannot find a free port on " + host + ": " + e.getMessage(), e);
        }
    }

    /**
     * A port free right now on {@code host} and not among {@code taken}: a port closed after one probe can come back
     * from the next, and Kafka refuses two listeners on one port (a clean-clone CI run drew the same port twice).
     */
    static int free(String host, Collection<Integer> taken) {
        return distinct(() -> free(host), taken);
    }

    /** The first of {@code candidates} not among {@code taken}, trying a few times. */
    static int distinct(IntSupplier candidates, Collection<Integer> taken) {
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            int port = candidates.getAsInt();
            if (!taken.contains(port)) {
                return port;
            }
        }
        throw new BrokerStartException("cannot find a free port other than " + taken + " after " + ATTEMPTS
                + " tries");
    }

    /**
     * Fails early with a message naming the port: Kafka's own bind error comes after seconds of start-up
     * and deep in a stack trace.
     */
    static int requireFree(String host, int port) {
        try (ServerSocket socket = new ServerSocket()) {
            // SO_REUSEADDR as Kafka's acceptor uses it, so a port in TIME_WAIT after a stop() is not "taken".
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getByName(host), port));
            return port;
        } catch (IOException e) {
            throw new BrokerStartException(inUseMessage(host, port), e);
        }
    }

    static String inUseMessage(String host, int port) {
        return "port " + port + " on " + host + " is already in use (another Kafka?); choose another broker"
                + " port, or 0 to pick a free one";
    }
}
