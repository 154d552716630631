package io.hardneg.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.hardneg.broker.BrokerOptions;
import io.hardneg.broker.EmbeddedKafkaBroker;
import io.hardneg.config.ConfigLoader;
import io.hardneg.data.LabeledImages;
import io.hardneg.model.Device;
import io.hardneg.model.ModelInfo;
import io.hardneg.service.HardnegService;
import io.hardneg.stream.PipelineObserver;
import io.hardneg.stream.Topics;
import io.hardneg.update.ModelAnnouncement;
import io.hardneg.update.ModelPublisher;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Hot reload on the real broker: bad updates are refused and the old model keeps serving; a good one swaps in. */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class ModelHotReloadIT {

    private static final Path MODELS = Path.of("src/test/resources/models/swap");

    @Test
    void shouldRefuseBadUpdatesAndSwapInAGoodOneWithoutLossOrDuplicates(@TempDir Path tmp) throws Exception {
        Path key = tmp.resolve("hmac.key");
        Files.writeString(key, "correct horse battery staple");
        byte[] keyBytes = Files.readAllBytes(key);
        List<String> refused = new CopyOnWriteArrayList<>();
        List<String> swapped = new CopyOnWriteArrayList<>();
        PipelineObserver observer = new PipelineObserver() {
            @Override
            public void modelRefused(String reason) {
                refused.add(reason);
            }

            @Override
            public void modelSwapped(ModelInfo info, Device device) {
                swapped.add(info.version());
            }
        };
        LabeledImages sample = StreamingScenario.sample(600);
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(BrokerOptions.defaults())) {
            String bootstrap = broker.bootstrapServers();
            Map<String, String> settings = new HashMap<>(Map.of("bootstrap.servers", bootstrap,
                    "application.id", "it-reload", "model.path", MODELS.resolve("1").toString(),
                    "model.hmac-key-file", key.toString(), "mining.rate-limit.per-label", "0", "http.port", "0"));
            try (HardnegService service = HardnegService.start(ConfigLoader.fromMap(settings), observer)) {
                assertThat(service.awaitRunning(Duration.ofSeconds(90))).isTrue();
                StreamingScenario.send(bootstrap, sample, 0, 300, false);
                StreamingScenario.awaitProcessed(bootstrap, 300, Duration.ofMinutes(2));

                // Given three bad updates: tampered bytes, a wrong signature, a wrong output shape
                ModelAnnouncement good = ModelPublisher.announce(MODELS.resolve("2"), keyBytes);
                ModelAnnouncement tampered = new ModelAnnouncement(1, good.name(), good.version(),
                        "0".repeat(64), good.hmacSha256(), good.size(), good.modelBase64(), null, good.publishedAt());
                ModelPublisher.publish(bootstrap, Map.of(), tampered);
                ModelPublisher.publish(bootstrap, Map.of(), ModelPublisher.announce(MODELS.resolve("2"),
                        "wrong key".getBytes(StandardCharsets.UTF_8)));
                ModelPublisher.publish(bootstrap, Map.of(), ModelPublisher.announce(MODELS.resolve("3"), keyBytes));
                await(() -> refused.size() >= 3, "three refusals");
                // Then each is refused for its own reason and version 1 keeps serving
                assertThat(refused).containsExactly("hash", "signature", "shape");
                assertThat(service.model().info().version()).isEqualTo("1");

                // When a good, signed version 2 is published
                ModelPublisher.publish(bootstrap, Map.of(), good);
                await(() -> "2".equals(service.model().info().version()), "swap to version 2");
                StreamingScenario.send(bootstrap, sample, 300, 600, false);
                StreamingScenario.awaitProcessed(bootstrap, 600, Duration.ofMinutes(2));
            }

            // Then every image has exactly one embedding, those sent after the swap carry version 2,
            // and no triplet mixes versions
            Map<String, String> versionById = StreamingScenario.versionByIdOnce(bootstrap);
            assertThat(versionById).hasSize(600);
            for (int i = 300; i < 600; i++) {
                assertThat(versionById.get("img-" + i)).as("img-%d after the swap", i).isEqualTo("2");
            }
            assertThat(swapped).containsExactly("1", "2");
            int v2Triplets = 0;
            for (ConsumerRecord<byte[], byte[]> r : TopicContents.readAll(bootstrap, Topics.HARD_NEGATIVES.name())) {
                JsonNode t = StreamingScenario.JSON.readTree(r.value());
                String v = t.path("model_version").asText();
                assertThat(versionById.get(t.path("anchor").path("id").asText())).isEqualTo(v);
                assertThat(versionById.get(t.path("positive").path("id").asText())).isEqualTo(v);
                assertThat(versionById.get(t.path("negative").path("id").asText())).isEqualTo(v);
                if (v.equals("2")) {
                    v2Triplets++;
                }
            }
            assertThat(v2Triplets).as("the bank refilled with version-2 embeddings and mining resumed").isPositive();
        }
    }

    private static void await(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(50);
        }
    }
}
