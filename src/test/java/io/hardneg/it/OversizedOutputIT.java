package io.hardneg.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.hardneg.broker.BrokerOptions;
import io.hardneg.broker.EmbeddedKafkaBroker;
import io.hardneg.config.ConfigLoader;
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
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Images that are each within {@code input.max-bytes} (10 MiB) but whose triplet, three images in base64, is over
 * {@code hard-negatives}' 10 MiB {@code max.message.bytes}: the output the service must write cannot be written.
 * Expected: the stream goes on (the good images after them are embedded): such a triplet is written without
 * the images that do not fit ({@code "images_omitted": true}), and big images stay out of the bank.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class OversizedOutputIT {

    static final int SIDE = 1750; // ~3 MiB of noise as a gray PNG: three of them base64 are ~12 MiB

    @Test
    void shouldKeepStreamingWhenATripletWithImagesIsTooLargeForItsTopic() throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(BrokerOptions.defaults())) {
            Map<String, String> m = new HashMap<>(Map.of("bootstrap.servers", broker.bootstrapServers(),
                    "application.id", "it-oversized", "mining.rate-limit.per-label", "0",
                    "output.include-images", "true", "http.port", "0", "mining.policy", "all", "mining.alpha", "4"));
            String model = System.getProperty("hardneg.it.model");
            if (model != null && !model.isBlank()) {
                m.put("model.path", model);
            }
            LabeledImages sample = StreamingScenario.sample(50);
            try (HardnegService service = HardnegService.start(ConfigLoader.fromMap(m), PipelineObserver.NONE);
                 OutputTally tally = new OutputTally(broker.bootstrapServers())) {
                assertThat(service.awaitRunning(Duration.ofSeconds(90))).isTrue();
                Random random = new Random(3);
                try (ImageSender sender = new ImageSender(broker.bootstrapServers(), Topics.IMAGES.name(), 0, Map.of())) {
                    for (int i = 0; i < 4; i++) {
                        byte[] px = new byte[SIDE * SIDE];
                        random.nextBytes(px);
                        sender.send(new LabeledImage("big-" + i, i % 2 == 0 ? "A" : "B", PngEncoder.gray(px, SIDE, SIDE)));
                    }
                    for (int i = 0; i < 50; i++) {
                        sender.send(new LabeledImage("img-" + i, Integer.toString(sample.labels()[i]),
                                PngEncoder.gray(sample.image(i), 28, 28)));
                    }
                    sender.flush();
                }
                long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
                while (tally.embedded() + tally.deadLettered() < 54 && System.nanoTime() < deadline) {
                    Thread.sleep(200);
                }
                Figures.record("oversized triplet", "inputs=54 embedded=" + tally.embedded() + " dead_lettered="
                        + tally.deadLetteredByCode() + " triplets=" + (tally.hard() + tally.semihard()));
                assertThat(tally.embedded() + tally.deadLettered()).as("stream went on").isEqualTo(54);
            }
        }
    }
}
