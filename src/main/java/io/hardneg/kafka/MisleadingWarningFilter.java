package io.hardneg.kafka;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.filter.Filter;
import ch.qos.logback.core.spi.FilterReply;

/**
 * Drops Kafka Streams' warning that the global thread's processing exception handler is not enabled: we enable
 * it ({@code StreamsSettings}), but Kafka 4.4 also checks a copy of the configuration built for the partition
 * assignor from the consumer's settings, which lack the key, and warns on every start. Every other event passes.
 */
public final class MisleadingWarningFilter extends Filter<ILoggingEvent> {

    static final String LOGGER = "org.apache.kafka.streams.StreamsConfig";
    static final String MESSAGE_START = "Processing exception handler is not enabled for the GlobalThread";

    @Override
    public FilterReply decide(ILoggingEvent event) {
        String message = event.getMessage();
        return LOGGER.equals(event.getLoggerName()) && message != null && message.startsWith(MESSAGE_START)
                ? FilterReply.DENY : FilterReply.NEUTRAL;
    }
}
