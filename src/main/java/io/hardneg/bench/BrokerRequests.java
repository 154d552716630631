package io.hardneg.bench;

import java.lang.management.ManagementFactory;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * Requests the in-process broker has handled, by type, from its own request metrics (Kafka registers them with the
 * platform MBean server): a broker on two shared cores pays per request — waking its network and handler threads —
 * as much as per byte, so requests per image say what a client setting changes.
 */
final class BrokerRequests {

    private static final String PATTERN = "kafka.network:type=RequestMetrics,name=RequestsPerSec,*";

    private BrokerRequests() {
    }

    /** Requests handled so far, by type (summed over API versions); empty when no broker runs in this JVM. */
    static Map<String, Long> counts() {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        Map<String, Long> counts = new TreeMap<>();
        try {
            for (ObjectName n : server.queryNames(new ObjectName(PATTERN), null)) {
                if (server.getAttribute(n, "Count") instanceof Number c) {
                    counts.merge(n.getKeyProperty("request"), c.longValue(), Long::sum);
                }
            }
        } catch (JMException e) {
            return Map.of();
        }
        return counts;
    }

    /**
     * Requests per image between two readings (three significant digits), the {@code top} most frequent types, most
     * frequent first.
     */
    static Map<String, Double> perImage(Map<String, Long> before, Map<String, Long> after, long images, int top) {
        Map<String, Double> out = new LinkedHashMap<>();
        if (images <= 0) {
            return out;
        }
        after.entrySet().stream()
                .map(e -> Map.entry(e.getKey(), e.getValue() - before.getOrDefault(e.getKey(), 0L)))
                .filter(e -> e.getValue() > 0)
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .limit(top)
                .forEach(e -> out.put(e.getKey(), threeDigits(e.getValue() / (double) images)));
        return out;
    }

    /** Three significant digits: a rare type over a long run (one request in 30,000 images) must not print as 0. */
    private static double threeDigits(double v) {
        return new BigDecimal(v).round(new MathContext(3)).doubleValue();
    }
}
