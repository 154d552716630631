package io.hardneg.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.spi.FilterReply;
import io.hardneg.config.ConfigLoader;
import io.hardneg.config.HardnegConfig;
import io.hardneg.stream.StreamsSettings;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.processor.internals.ClientUtils;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class KafkaNoiseFilterTest {

    private final LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();

    @Test
    void shouldOnlyBeNeededWhileKafkaWarnsAboutASettingWeTurnOn() {
        // Given our Streams settings
        HardnegConfig config = ConfigLoader.fromMap(Map.of("bootstrap.servers", "unused:9092"));
        Properties props = StreamsSettings.of(config, System.getProperty("java.io.tmpdir"));
        StreamsConfig streams = new StreamsConfig(props);
        // Then the global thread's handler is on, but the assignor's copy, built from the main consumer's
        // settings as Kafka does, has it off: the warning it logs is false. If a Kafka upgrade fixes this, this
        // fails, and that entry of the filter can go.
        assertThat(streams.getBoolean(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG)).isTrue();
        StreamsConfig assignorCopy = new ClientUtils.QuietStreamsConfig(
                streams.getMainConsumerConfigs("group", "client", 0));
        assertThat(assignorCopy.getBoolean(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG))
                .isFalse();
    }

    @Test
    void shouldDropTheKnownNoiseAndNothingElse() {
        KafkaNoiseFilter filter = new KafkaNoiseFilter();
        // The lines as Kafka logs them (its log context prefixes the message)
        assertThat(filter.decide(event("org.apache.kafka.streams.StreamsConfig",
                "Processing exception handler is not enabled for the GlobalThread. It's recommended to set ...")))
                .isEqualTo(FilterReply.DENY);
        assertThat(filter.decide(event("org.apache.kafka.controller.QuorumController",
                "[QuorumController id=1] Performing controller activation. The metadata log appears to be empty. "
                        + "Appending 6 bootstrap record(s) in metadata transaction at metadata.version 4.4-IV2")))
                .isEqualTo(FilterReply.DENY);
        assertThat(filter.decide(event("org.apache.kafka.clients.NetworkClient",
                "[NodeToControllerChannelManager id=1 name=registration] Attempting to close NetworkClient that has "
                        + "already been closed.")))
                .isEqualTo(FilterReply.DENY);
        String sender = "org.apache.kafka.clients.producer.internals.Sender";
        assertThat(filter.decide(event(sender, "[Producer clientId=a-StreamThread-1-producer, transactionalId=a-1] "
                + "Got error produce response with correlation id 33 on topic-partition embeddings-1, retrying "
                + "(2147483646 attempts left). Error: CONCURRENT_TRANSACTIONS"))).isEqualTo(FilterReply.DENY);
        assertThat(filter.decide(event(sender, "[Producer clientId=a-StreamThread-1-producer, transactionalId=a-1] "
                + "Got error produce response with correlation id 19 on topic-partition a-pending-images-changelog-0, "
                + "retrying (2147483646 attempts left). Error: OUT_OF_ORDER_SEQUENCE_NUMBER")))
                .isEqualTo(FilterReply.DENY);
        // A retry for any other reason stays visible
        assertThat(filter.decide(event(sender, "[Producer clientId=p1] Got error produce response with correlation id "
                + "7 on topic-partition images-0, retrying (2147483646 attempts left). Error: NOT_LEADER_OR_FOLLOWER")))
                .isEqualTo(FilterReply.NEUTRAL);
        // Other warnings of the same loggers, the same text from another logger, and a client's own double close
        assertThat(filter.decide(event("org.apache.kafka.streams.StreamsConfig", "Some other warning")))
                .isEqualTo(FilterReply.NEUTRAL);
        assertThat(filter.decide(event("org.apache.kafka.streams.KafkaStreams",
                "Processing exception handler is not enabled for the GlobalThread"))).isEqualTo(FilterReply.NEUTRAL);
        assertThat(filter.decide(event("org.apache.kafka.clients.NetworkClient",
                "[Producer clientId=p1] Attempting to close NetworkClient that has already been closed.")))
                .isEqualTo(FilterReply.NEUTRAL);
        assertThat(filter.decide(event("org.apache.kafka.clients.NetworkClient",
                "[Consumer clientId=c1] Connection to node 1 could not be established."))).isEqualTo(FilterReply.NEUTRAL);
        assertThat(filter.decide(event("org.apache.kafka.streams.StreamsConfig", null))).isEqualTo(FilterReply.NEUTRAL);
    }

    @Test
    void shouldBeOnTheConsoleAppender() {
        // logback.xml (on the test class path too) puts the filter on the only appender
        Appender<?> stderr = context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("STDERR");
        assertThat(stderr).isNotNull();
        assertThat(stderr.getCopyOfAttachedFiltersList()).hasAtLeastOneElementOfType(KafkaNoiseFilter.class);
    }

    private LoggingEvent event(String logger, String message) {
        LoggingEvent e = new LoggingEvent();
        e.setLoggerName(logger);
        e.setLevel(Level.WARN);
        e.setMessage(message);
        e.setLoggerContext(context);
        return e;
    }
}
