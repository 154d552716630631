package io.hardneg.it;

import io.hardneg.broker.BrokerOptions;
import io.hardneg.broker.EmbeddedKafkaBroker;
import io.hardneg.data.LabeledImages;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The service on a real in-process KRaft broker: exactly once, policy-valid triplets, dead letters, scale-out. */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class StreamingServiceIT {

    private EmbeddedKafkaBroker broker;

    /** A fresh broker per test, so that each test's topics hold only its own records. */
    @BeforeEach
    void startBroker() {
        broker = EmbeddedKafkaBroker.start(BrokerOptions.defaults());
    }

    @AfterEach
    void stopBroker() {
        broker.close();
    }

    @Test
    void shouldEmbedEachImageOnceAndMineValidTripletsOnTheRealBroker() throws Exception {
        int n = 2000;
        LabeledImages sample = StreamingScenario.sample(n);
        StreamingScenario scenario = new StreamingScenario(broker.bootstrapServers(), "it-single");
        try {
            scenario.startInstance();
            StreamingScenario.send(broker.bootstrapServers(), sample, 0, n, true);
            StreamingScenario.awaitProcessed(broker.bootstrapServers(), n + StreamingScenario.BAD.size(), Duration.ofMinutes(3));
        } finally {
            scenario.stopAll();
        }
        StreamingScenario.Result r = StreamingScenario.verify(broker.bootstrapServers(), n);
        System.out.println("single instance: " + r);
        r.assertExactlyOnce();
    }

    @Test
    void shouldGiveTheSameCountsWhenASecondInstanceJoinsMidStream() throws Exception {
        int n = 2000;
        LabeledImages sample = StreamingScenario.sample(n);
        StreamingScenario scenario = new StreamingScenario(broker.bootstrapServers(), "it-scale-out");
        try {
            scenario.startInstance();
            StreamingScenario.send(broker.bootstrapServers(), sample, 0, n / 2, false);
            // The second instance joins while the first is busy; Kafka Streams splits the partitions between them.
            scenario.startInstance();
            StreamingScenario.send(broker.bootstrapServers(), sample, n / 2, n, true);
            StreamingScenario.awaitProcessed(broker.bootstrapServers(), n + StreamingScenario.BAD.size(), Duration.ofMinutes(3));
        } finally {
            scenario.stopAll();
        }
        StreamingScenario.Result r = StreamingScenario.verify(broker.bootstrapServers(), n);
        System.out.println("two instances: " + r);
        r.assertExactlyOnce();
    }
}
