package io.hardneg.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.hardneg.broker.BrokerOptions;
import io.hardneg.broker.EmbeddedKafkaBroker;
import io.hardneg.data.LabelNoise;
import io.hardneg.data.LabeledImages;
import io.hardneg.data.PngEncoder;
import io.hardneg.producer.ImageSender;
import io.hardneg.producer.LabeledImage;
import io.hardneg.stream.BankRecordCodec;
import io.hardneg.stream.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** suspect-labels and duplicate suppression on the real broker, with the shipped model. */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class MiningFeaturesIT {

    @Test
    void shouldRouteFlippedLabelsToSuspectLabelsAndNotMineExactCopies() throws Exception {
        int n = 1500;
        int copies = 30;
        LabeledImages sample = StreamingScenario.sample(n);
        LabelNoise noise = LabelNoise.flip(sample.labels(), 10, 0.05, 7);
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(BrokerOptions.defaults())) {
            StreamingScenario scenario = new StreamingScenario(broker.bootstrapServers(), "it-features",
                    Map.of("mining.suspect.include-image", "false"));
            try {
                scenario.startInstance();
                try (ImageSender sender = new ImageSender(broker.bootstrapServers(), Topics.IMAGES.name(), 0, Map.of())) {
                    for (int i = 0; i < n; i++) {
                        sender.send(new LabeledImage("img-" + i, Integer.toString(noise.labels()[i]),
                                PngEncoder.gray(sample.image(i), sample.height(), sample.width())));
                    }
                    for (int i = 0; i < copies; i++) {
                        sender.send(new LabeledImage("copy-" + i, Integer.toString(noise.labels()[i]),
                                PngEncoder.gray(sample.image(i), sample.height(), sample.width())));
                    }
                    sender.flush();
                }
                StreamingScenario.awaitProcessed(broker.bootstrapServers(), n + copies, Duration.ofMinutes(2));
            } finally {
                scenario.stopAll();
            }
            String bootstrap = broker.bootstrapServers();
            Map<String, Integer> embedded = new HashMap<>();
            TopicContents.readAll(bootstrap, Topics.EMBEDDINGS.name())
                    .forEach(r -> embedded.merge(new String(r.key(), StandardCharsets.UTF_8), 1, Integer::sum));
            assertThat(embedded).as("every image, copies too, embedded exactly once").hasSize(n + copies);
            assertThat(embedded.values()).containsOnly(1);
            Set<String> suspects = new HashSet<>();
            for (ConsumerRecord<byte[], byte[]> r : TopicContents.readAll(bootstrap, Topics.SUSPECT_LABELS.name())) {
                String id = new String(r.key(), StandardCharsets.UTF_8);
                assertThat(suspects.add(id)).as("one suspicion per image").isTrue();
                JsonNode j = StreamingScenario.JSON.readTree(r.value());
                assertThat(j.path("schema_version").asInt()).isEqualTo(1);
                assertThat(j.path("suggested_label").asText()).isNotEqualTo(j.path("label").asText());
                assertThat(j.has("image")).isFalse();
            }
            long hits = suspects.stream().filter(id -> noise.flipped().contains(Integer.parseInt(id.substring(4)))).count();
            System.out.printf("suspects=%d flipped=%d hits=%d%n", suspects.size(), noise.flipped().size(), hits);
            assertThat(hits).as("flipped labels found").isPositive();
            Set<String> anchors = new HashSet<>();
            Set<String> bankIds = new HashSet<>();
            TopicContents.readAll(bootstrap, Topics.HARD_NEGATIVES.name()).forEach(r -> {
                try {
                    JsonNode t = StreamingScenario.JSON.readTree(r.value());
                    anchors.add(t.path("anchor").path("id").asText());
                    bankIds.add(t.path("negative").path("id").asText());
                    bankIds.add(t.path("positive").path("id").asText());
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            assertThat(anchors).isNotEmpty().doesNotContainAnyElementsOf(suspects);
            assertThat(bankIds).as("suspects never enter the bank").doesNotContainAnyElementsOf(suspects);
            Set<String> banked = new HashSet<>();
            TopicContents.readAll(bootstrap, Topics.EMBEDDING_BANK.name())
                    .stream().filter(r -> r.value() != null)
                    .forEach(r -> banked.add(BankRecordCodec.decode(r.value()).id()));
            assertThat(banked).as("suspects never enter the bank").doesNotContainAnyElementsOf(suspects);
            for (int i = 0; i < copies; i++) {
                // An image and its copy go to different partitions, which are processed in no set order (a burst
                // within one batch of each task is processed task by task): whichever comes first is mined, the
                // other only embedded.
                String image = "img-" + i;
                String copy = "copy-" + i;
                assertThat(anchors.contains(image) && anchors.contains(copy)).as("%s and its exact copy both mined", image)
                        .isFalse();
                assertThat(banked.contains(image) && banked.contains(copy)).as("%s and its exact copy both banked", image)
                        .isFalse();
            }
        }
    }
}
