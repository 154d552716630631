package io.hardneg.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.hardneg.broker.BrokerOptions;
import io.hardneg.broker.EmbeddedKafkaBroker;
import io.hardneg.config.ConfigLoader;
import io.hardneg.data.LabeledImages;
import io.hardneg.model.Device;
import io.hardneg.model.ModelInfo;
import io.hardneg.service.HardnegService;
import io.hardneg.stream.PipelineObserver;
import io.hardneg.stream.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole loop on the real broker: the service mines hard negatives, the Python retraining job
 * ({@code src/main/python/retrain.py}) consumes a tiny budget of them, fine-tunes the shipped model and publishes
 * version 2 on {@code model-updates}; the running service verifies and swaps it in, and every image still gets
 * exactly one embedding, those sent after the swap from version 2.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class RetrainLoopIT {

    private static final Path PYTHON = Path.of("/usr/bin/python3");
    private static final String GROUP = "it-retrain";

    @Test
    void shouldRetrainOnMinedTripletsPublishVersion2AndSwapWithoutLossOrDuplicates(@TempDir Path tmp) throws Exception {
        assumeTrue(Files.isExecutable(PYTHON), "/usr/bin/python3 (Debian's python3-torch) is needed");
        List<String> swapped = new CopyOnWriteArrayList<>();
        PipelineObserver observer = new PipelineObserver() {
            @Override
            public void modelSwapped(ModelInfo info, Device device) {
                swapped.add(info.version());
            }
        };
        LabeledImages sample = StreamingScenario.sample(700);
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(BrokerOptions.defaults())) {
            String bootstrap = broker.bootstrapServers();
            // The shipped model, images in the triplet records (the retraining job trains on them); near-duplicate
            // suppression off and every anchor mined (no anchor budget), so that 300 images against a filled bank
            // yield the job's budget (100) of triplets with room to spare.
            Map<String, String> settings = Map.of("bootstrap.servers", bootstrap, "application.id", "it-retrain-loop",
                    "mining.rate-limit.per-label", "0", "output.include-images", "true", "http.port", "0",
                    "dedup.near.epsilon", "0", "mining.anchor-share", "1");
            try (HardnegService service = HardnegService.start(ConfigLoader.fromMap(settings), observer)) {
                assertThat(service.awaitRunning(Duration.ofSeconds(90))).isTrue();
                assertThat(service.model().info().version()).isEqualTo("1");
                // The bank fills first: an anchor needs bank entries of its label, which arrive through the bank
                // topic once their transaction commits; a fast pipeline embeds a whole burst before that.
                StreamingScenario.send(bootstrap, sample, 0, 100, false);
                StreamingScenario.awaitProcessed(bootstrap, 100, Duration.ofMinutes(2));
                long bankDeadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (service.bank().size() < 80 && System.nanoTime() < bankDeadline) {
                    Thread.sleep(50);
                }
                assertThat(service.bank().size()).as("bank entries after 100 images").isGreaterThanOrEqualTo(80);
                StreamingScenario.send(bootstrap, sample, 100, 400, false);
                StreamingScenario.awaitProcessed(bootstrap, 400, Duration.ofMinutes(2));
                int mined = TopicContents.count(bootstrap, Topics.HARD_NEGATIVES.name());
                assertThat(mined).as("triplets mined from the first 400 images").isGreaterThanOrEqualTo(100);

                // When the retraining job runs on a tiny budget (the guard's tolerance lets a 20-step model through:
                // this test is about the loop; the guard itself is tested in test_retrain.py)
                Path log = tmp.resolve("retrain.log");
                List<String> cmd = new ArrayList<>(List.of(PYTHON.toString(), "src/main/python/retrain.py",
                        "--bootstrap-servers", bootstrap, "--group-id", GROUP, "--budget", "100", "--steps", "20",
                        "--batch", "16", "--idle-timeout", "5", "--val-size", "1000", "--guard-tolerance", "1",
                        "--out", tmp.resolve("models").toString()));
                Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
                boolean done = p.waitFor(150, TimeUnit.SECONDS);
                if (!done) {
                    p.destroyForcibly();
                }
                String out = Files.readString(log);
                System.out.println(out);
                assertThat(done).as("retrain.py finished in time:\n%s", out).isTrue();
                assertThat(p.exitValue()).as("retrain.py exit status:\n%s", out).isZero();
                assertThat(out).contains("collected 100 triplets").contains("guard: validation Recall@1")
                        .contains("published fashion-triplet v2");
                assertThat(tmp.resolve("models/fashion-triplet/2/model.onnx")).isRegularFile();

                // Then the running service swaps to version 2
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (!"2".equals(service.model().info().version()) && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                }
                assertThat(service.model().info().version()).as("serving version after the update").isEqualTo("2");
                StreamingScenario.send(bootstrap, sample, 400, 700, false);
                StreamingScenario.awaitProcessed(bootstrap, 700, Duration.ofMinutes(2));
            }

            // Every image has exactly one embedding; those sent after the swap carry version 2
            Map<String, String> versionById = StreamingScenario.versionByIdOnce(bootstrap);
            assertThat(versionById).hasSize(700);
            for (int i = 0; i < 400; i++) {
                assertThat(versionById.get("img-" + i)).as("img-%d before the retraining", i).isEqualTo("1");
            }
            for (int i = 400; i < 700; i++) {
                assertThat(versionById.get("img-" + i)).as("img-%d after the swap", i).isEqualTo("2");
            }
            assertThat(swapped).containsExactly("1", "2");

            // And the job committed its offsets on hard-negatives once it had published
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
                Map<TopicPartition, OffsetAndMetadata> committed =
                        admin.listConsumerGroupOffsets(GROUP).partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
                assertThat(committed.keySet()).allMatch(tp -> tp.topic().equals(Topics.HARD_NEGATIVES.name()));
                assertThat(committed).isNotEmpty();
            }
        }
    }
}
