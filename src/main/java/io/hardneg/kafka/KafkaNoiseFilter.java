package io.hardneg.kafka;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.filter.Filter;
import ch.qos.logback.core.spi.FilterReply;
import java.util.List;

/**
 * Drops five Kafka warnings that are false or expected here, so that users see only warnings that mean something:
 * <ul>
 *   <li>Kafka Streams: "Processing exception handler is not enabled for the GlobalThread" — we enable it
 *       ({@code StreamsSettings}), but Kafka 4.4 also checks a copy of the settings built for the partition
 *       assignor from the consumer's settings, which lack the key, and warns on every start;</li>
 *   <li>the in-process broker's controller: "Performing controller activation. The metadata log appears to be
 *       empty" — every start on a fresh log directory (the default temp dir) bootstraps its metadata;</li>
 *   <li>the in-process broker's registration channel: "Attempting to close NetworkClient that has already been
 *       closed" — Kafka's own shutdown order closes it twice;</li>
 *   <li>a transactional producer's "Got error produce response … retrying (N attempts left). Error:
 *       CONCURRENT_TRANSACTIONS" — with Kafka 4's transactions a send that arrives while the previous transaction's
 *       commit markers are still being written is answered so and retried after a short back-off; it is how the
 *       protocol waits, not a fault (a send that still fails at {@code delivery.timeout.ms} is an error of its own).
 *       Only the retry line with that error is dropped;</li>
 *   <li>the same retry line with {@code OUT_OF_ORDER_SEQUENCE_NUMBER}: a fresh transactional producer's first batches
 *       race its epoch bump (the broker's own ERROR for it is silenced in logback.xml); the client retries and the
 *       exactly-once tests find nothing lost or doubled.</li>
 * </ul>
 * Every other event passes.
 */
public final class KafkaNoiseFilter extends Filter<ILoggingEvent> {

    /** A logger and a piece of the messages of it that are noise. */
    record Noise(String logger, String fragment) {
    }

    static final List<Noise> NOISE = List.of(
            new Noise("org.apache.kafka.streams.StreamsConfig",
                    "Processing exception handler is not enabled for the GlobalThread"),
            new Noise("org.apache.kafka.controller.QuorumController",
                    "Performing controller activation. The metadata log appears to be empty"),
            new Noise("org.apache.kafka.clients.NetworkClient",
                    "name=registration] Attempting to close NetworkClient that has already been closed"),
            new Noise("org.apache.kafka.clients.producer.internals.Sender",
                    "attempts left). Error: CONCURRENT_TRANSACTIONS"),
            new Noise("org.apache.kafka.clients.producer.internals.Sender",
                    "attempts left). Error: OUT_OF_ORDER_SEQUENCE_NUMBER"));

    @Override
    public FilterReply decide(ILoggingEvent event) {
        String message = event.getMessage();
        if (message == null) {
            return FilterReply.NEUTRAL;
        }
        for (Noise n : NOISE) {
            if (n.logger().equals(event.getLoggerName()) && message.contains(n.fragment())) {
                return FilterReply.DENY;
            }
        }
        return FilterReply.NEUTRAL;
    }
}
