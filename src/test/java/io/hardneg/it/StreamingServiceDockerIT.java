package io.hardneg.it;

import io.hardneg.data.LabeledImages;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.kafka.KafkaContainer;

/**
 * The same end-to-end scenario as {@link StreamingServiceIT}, against the official {@code apache/kafka} image.
 * Runs where a Docker engine is reachable; elsewhere JUnit reports it skipped ("disabledWithoutDocker").
 */
@Testcontainers(disabledWithoutDocker = true)
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class StreamingServiceDockerIT {

    @Container
    static final KafkaContainer KAFKA = new KafkaContainer("apache/kafka:4.1.0");

    @Test
    void shouldEmbedEachImageOnceAndMineValidTripletsOnTheKafkaImage() throws Exception {
        int n = 2000;
        LabeledImages sample = StreamingScenario.sample(n);
        String bootstrap = KAFKA.getBootstrapServers();
        StreamingScenario scenario = new StreamingScenario(bootstrap, "docker-it");
        try {
            scenario.startInstance();
            StreamingScenario.send(bootstrap, sample, 0, n, true);
            StreamingScenario.awaitProcessed(bootstrap, n + StreamingScenario.BAD.size(), Duration.ofMinutes(4));
        } finally {
            scenario.stopAll();
        }
        StreamingScenario.verify(bootstrap, n).assertExactlyOnce();
    }
}
