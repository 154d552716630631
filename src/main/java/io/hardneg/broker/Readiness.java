package io.hardneg.broker;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/** Waits until a broker answers {@code describeCluster} with itself, as a client would see it. */
final class Readiness {

    private Readiness() {
    }

    static void await(String bootstrapServers, Duration timeout) {
        await(bootstrapServers, timeout, Map.of());
    }

    /** {@code clientSettings} (security settings of a SASL listener) are added to the probe's own. */
    static void await(String bootstrapServers, Duration timeout, Map<String, Object> clientSettings) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Throwable last = null;
        Map<String, Object> props = new HashMap<>(clientSettings);
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "5000");
        props.put(AdminClientConfig.RECONNECT_BACKOFF_MS_CONFIG, "50");
        props.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "200");
        try (Admin admin = Admin.create(props)) {
            while (System.nanoTime() < deadline) {
                try {
                    Collection<?> nodes = admin.describeCluster(new DescribeClusterOptions().timeoutMs(5000))
                            .nodes().get(6, TimeUnit.SECONDS);
                    if (!nodes.isEmpty()) {
                        return;
                    }
                } catch (ExecutionException e) {
                    last = e.getCause();
                } catch (java.util.concurrent.TimeoutException e) {
                    last = e;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new BrokerStartException("interrupted while waiting for the broker at "
                            + bootstrapServers, e);
                }
                sleep(100);
            }
        }
        throw new BrokerStartException("the embedded Kafka broker at " + bootstrapServers
                + " did not accept connections within " + timeout.toSeconds() + " s"
                + (last == null ? "" : ": " + last), last);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
