package io.hardneg.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.hardneg.broker.BrokerOptions;
import io.hardneg.broker.EmbeddedKafkaBroker;
import io.hardneg.config.ConfigLoader;
import io.hardneg.data.FashionMnist;
import io.hardneg.data.LabeledImages;
import io.hardneg.data.PngEncoder;
import io.hardneg.producer.ImageSender;
import io.hardneg.producer.LabeledImage;
import io.hardneg.service.HardnegService;
import io.hardneg.service.OutputTally;
import io.hardneg.stream.PipelineObserver;
import io.hardneg.stream.Topics;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The metrics the bench reads to say where a stream thread waited and what the broker handled exist under the
 * names it reads, on a real service and the in-process broker (a tiny bench run may have no rounds to show them).
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class BenchMetricsIT {

    @Test
    void shouldReadTheStreamThreadsWaitsAndTheBrokersRequestsOfARealService() throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(BrokerOptions.defaults())) {
            Map<String, String> m = new HashMap<>(Map.of("bootstrap.servers", broker.bootstrapServers(),
                    "application.id", "it-bench-metrics", "http.port", "0", "streams.threads", "1"));
            String model = System.getProperty("hardneg.it.model");
            if (model != null && !model.isBlank()) {
                m.put("model.path", model);
            }
            LabeledImages sample = FashionMnist.bundled().head(100);
            try (HardnegService service = HardnegService.start(ConfigLoader.fromMap(m), PipelineObserver.NONE);
                 OutputTally tally = new OutputTally(broker.bootstrapServers())) {
                assertThat(service.awaitRunning(Duration.ofSeconds(90))).isTrue();
                StreamTime.Totals before = StreamTime.read(service.streams().metrics());
                Map<String, Long> requestsBefore = BrokerRequests.counts();
                long t0 = System.nanoTime();
                // Given 100 images through the service, each transaction committed
                try (ImageSender sender = new ImageSender(broker.bootstrapServers(), Topics.IMAGES.name(), 0,
                        Map.of())) {
                    for (int i = 0; i < 100; i++) {
                        sender.send(new LabeledImage("img-" + i, Integer.toString(sample.labels()[i]),
                                PngEncoder.gray(sample.image(i), 28, 28)));
                    }
                    sender.flush();
                }
                long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
                while (tally.embedded() < 100 && System.nanoTime() < deadline) {
                    Thread.sleep(100);
                }
                assertThat(tally.embedded()).isEqualTo(100);
                StreamTime.Totals after = StreamTime.read(service.streams().metrics());
                double seconds = (System.nanoTime() - t0) / 1e9;
                Map<String, Double> shares = StreamTime.shares(before, after, seconds);
                Map<String, Double> perImage = BrokerRequests.perImage(requestsBefore, BrokerRequests.counts(), 100,
                        20);

                // Then the one stream thread's totals are found and grew: it flushed and committed transactions
                assertThat(after.threads()).isEqualTo(1);
                assertThat(after.blocked()).isGreaterThan(before.blocked());
                assertThat(after.flush()).isGreaterThan(before.flush());
                assertThat(after.commit()).isGreaterThan(before.commit());
                assertThat(after.sendOffsets()).isGreaterThan(before.sendOffsets());
                // A share of the window, give or take one blocking call (a poll, up to 0.5 s) that began before
                // it: Kafka adds a call's time when it ends, and this window is only a few seconds (1.09 was seen)
                assertThat(shares.get("blocked")).isBetween(0.0, 1.0 + 0.5 / seconds);
                assertThat(shares.get("flush") + shares.get("commit"))
                        .isLessThanOrEqualTo(shares.get("blocked") + 0.01);
                // And the broker counted the images' produce and fetch requests and the transactions' ends
                assertThat(perImage).containsKeys("Produce", "Fetch", "EndTxn");
            }
        }
    }
}
