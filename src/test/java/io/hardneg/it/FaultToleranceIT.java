package io.hardneg.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.hardneg.broker.BrokerOptions;
import io.hardneg.broker.EmbeddedKafkaBroker;
import io.hardneg.data.LabeledImages;
import io.hardneg.data.PngEncoder;
import io.hardneg.producer.ImageSender;
import io.hardneg.producer.LabeledImage;
import io.hardneg.stream.MiningTopology;
import io.hardneg.stream.Topics;
import io.hardneg.service.OutputTally;
import io.hardneg.topics.TopicFiles;
import io.hardneg.topics.TopicProvisioner;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Exactly-once under faults, the way Kafka's own system tests prove EOS: SIGKILL the service, bounce the broker,
 * rebalance between instances, all under load on the real broker; then count, read_committed, what came out.
 *
 * <p>Sizes are system properties so CI and a soak run share the code: {@code hardneg.it.kill.images}
 * (default 20,000), {@code hardneg.it.kill.seed}, {@code hardneg.it.fault.images} (bounce and rebalance, default 3,000).
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class FaultToleranceIT {

    private static final int KILL_IMAGES = Integer.getInteger("hardneg.it.kill.images", 20_000);
    private static final long KILL_SEED = Long.getLong("hardneg.it.kill.seed", 20_240_611L);
    private static final int FAULT_IMAGES = Integer.getInteger("hardneg.it.fault.images", 3_000);
    private static final Duration PROCESS_TIMEOUT = Duration.ofMinutes(4);

    private EmbeddedKafkaBroker broker;

    @BeforeEach
    void startBroker() {
        broker = EmbeddedKafkaBroker.start(BrokerOptions.defaults());
    }

    @AfterEach
    void stopBroker() {
        broker.close();
    }

    @Test
    void shouldLoseAndDuplicateNothingWhenTheServiceIsKilledThreeTimes() throws Exception {
        // Given every image already on the input topic and the service in a child JVM
        int n = KILL_IMAGES;
        int expected = n + StreamingScenario.BAD.size();
        provisionTopics(broker.bootstrapServers());
        sendCycling(broker.bootstrapServers(), n);
        Random random = new Random(KILL_SEED);
        List<Integer> killAt = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            killAt.add((int) (expected * (0.1 + 0.75 * random.nextDouble())));
        }
        killAt.sort(null);
        System.out.println("kill -9 seed " + KILL_SEED + ": killing after " + killAt + " committed outputs of " + expected);
        long t0 = System.nanoTime();
        List<String> kills = new ArrayList<>();
        // When it is killed with SIGKILL at three seeded points and restarted each time
        try (OutputTally tally = new OutputTally(broker.bootstrapServers())) {
            ServiceProcess service = startChild("kill", 0);
            try {
                for (int k = 0; k < killAt.size(); k++) {
                    awaitCount(tally, killAt.get(k), service);
                    Thread.sleep(random.nextInt(500));
                    long seen = tally.embedded() + tally.deadLettered();
                    service.kill();
                    kills.add("#" + (k + 1) + " pid " + service.pid() + " at " + seen);
                    System.out.println("kill -9 #" + (k + 1) + " of pid " + service.pid() + " with " + seen
                            + " outputs committed");
                    service = startChild("kill", k + 1);
                }
                awaitCount(tally, expected, service);
            } finally {
                service.stop();
            }
        }
        long seconds = (System.nanoTime() - t0) / 1_000_000_000;
        // Then every image has one embedding, no triplet or dead letter appears twice
        StreamingScenario.Result r = StreamingScenario.verify(broker.bootstrapServers(), n);
        Figures.record("kill -9 x3", r + " kills=" + kills + " seed=" + KILL_SEED + " duration_s=" + seconds);
        r.assertExactlyOnce();
        // And the buffer's changelog, restored after each kill, was created with short-lived tombstones
        assertThat(bufferChangelogConfig(broker.bootstrapServers()))
                .containsEntry(TopicConfig.SEGMENT_BYTES_CONFIG, Integer.toString(64 * 1024 * 1024))
                .containsEntry(TopicConfig.DELETE_RETENTION_MS_CONFIG, "600000");
    }

    /** The topic configs Kafka Streams gave the batch buffer's changelog (there is one application here). */
    private static Map<String, String> bufferChangelogConfig(String bootstrap) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            String changelog = admin.listTopics().names().get(30, TimeUnit.SECONDS).stream()
                    .filter(t -> t.endsWith("-" + MiningTopology.PENDING_STORE + "-changelog")).findFirst()
                    .orElseThrow(() -> new AssertionError("no batch buffer changelog on the broker"));
            ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, changelog);
            Map<String, String> configs = new HashMap<>();
            admin.describeConfigs(List.of(topic)).all().get(30, TimeUnit.SECONDS).get(topic).entries()
                    .forEach(e -> configs.put(e.name(), e.value()));
            return configs;
        }
    }

    @Test
    void shouldRecoverByItselfWhenTheBrokerBouncesMidStream() throws Exception {
        int n = FAULT_IMAGES;
        int expected = n + StreamingScenario.BAD.size();
        LabeledImages sample = StreamingScenario.sample(n);
        StreamingScenario scenario = new StreamingScenario(broker.bootstrapServers(), "it-bounce");
        long t0 = System.nanoTime();
        long downMs;
        try {
            // Given a running service busy with the first half
            scenario.startInstance();
            StreamingScenario.send(broker.bootstrapServers(), sample, 0, n / 2, false);
            try (OutputTally tally = new OutputTally(broker.bootstrapServers())) {
                awaitCount(tally, n / 8, null);
            }
            // When the broker stops for ~10 s (same port, same log dirs) and comes back
            long down = System.nanoTime();
            broker.stop();
            Thread.sleep(10_000);
            broker.restart();
            downMs = (System.nanoTime() - down) / 1_000_000;
            System.out.println("broker was down for " + downMs + " ms");
            StreamingScenario.send(broker.bootstrapServers(), sample, n / 2, n, true);
            // Then the same instance, never restarted, finishes the stream (a tally started after the bounce
            // counts from the start, so the figures don't depend on the tally's own recovery)
            try (OutputTally tally = new OutputTally(broker.bootstrapServers())) {
                awaitCount(tally, expected, null);
            }
        } finally {
            scenario.stopAll();
        }
        long seconds = (System.nanoTime() - t0) / 1_000_000_000;
        StreamingScenario.Result r = StreamingScenario.verify(broker.bootstrapServers(), n);
        Figures.record("broker bounce", r + " broker_down_ms=" + downMs + " duration_s=" + seconds);
        r.assertExactlyOnce();
    }

    @Test
    void shouldLoseAndDuplicateNothingWhenTheFirstInstanceLeavesAfterASecondJoined() throws Exception {
        int n = FAULT_IMAGES;
        int expected = n + StreamingScenario.BAD.size();
        LabeledImages sample = StreamingScenario.sample(n);
        StreamingScenario first = new StreamingScenario(broker.bootstrapServers(), "it-rebalance");
        StreamingScenario second = new StreamingScenario(broker.bootstrapServers(), "it-rebalance");
        long t0 = System.nanoTime();
        try (OutputTally tally = new OutputTally(broker.bootstrapServers())) {
            // Given one instance busy with the stream
            first.startInstance();
            StreamingScenario.send(broker.bootstrapServers(), sample, 0, n / 2, false);
            awaitCount(tally, n / 8, null);
            // When a second one joins mid-stream and then the first leaves gracefully
            second.startInstance();
            System.out.println(java.time.LocalTime.now() + " second instance running");
            StreamingScenario.send(broker.bootstrapServers(), sample, n / 2, 3 * n / 4, false);
            System.out.println(java.time.LocalTime.now() + " stopping the first instance with "
                    + (tally.embedded() + tally.deadLettered()) + " outputs committed");
            first.stopAll();
            System.out.println(java.time.LocalTime.now() + " first instance stopped");
            StreamingScenario.send(broker.bootstrapServers(), sample, 3 * n / 4, n, true);
            // Then the second finishes the stream alone
            awaitCount(tally, expected, null);
        } finally {
            first.stopAll();
            second.stopAll();
        }
        long seconds = (System.nanoTime() - t0) / 1_000_000_000;
        StreamingScenario.Result r = StreamingScenario.verify(broker.bootstrapServers(), n);
        Figures.record("rebalance", r + " duration_s=" + seconds);
        r.assertExactlyOnce();
    }

    private ServiceProcess startChild(String name, int generation) throws Exception {
        ServiceProcess p = ServiceProcess.start(broker.bootstrapServers(), "it-kill",
                Figures.DIR.resolve(name + "-" + generation + ".log"), "512m", List.of(), List.of());
        p.awaitRunning(Duration.ofMinutes(2));
        return p;
    }

    /** Waits for {@code count} committed outputs (embeddings + dead letters); fails if the stream stalls. */
    private static void awaitCount(OutputTally tally, long count, ServiceProcess child) throws InterruptedException {
        long deadline = System.nanoTime() + PROCESS_TIMEOUT.toNanos();
        while (tally.embedded() + tally.deadLettered() < count) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("stalled at " + (tally.embedded() + tally.deadLettered()) + " of " + count
                        + (child == null ? "" : "; child output:\n" + child.outputTail()));
            }
            if (child != null && !child.isAlive()) {
                throw new AssertionError("service died on its own; output:\n" + child.outputTail());
            }
            Thread.sleep(50);
        }
    }

    /**
     * Sends img-0 … img-(n-1) plus the bad records; the bundled sample holds 10,000 images, so past that they
     * repeat under new ids (each id is still one input that must yield one embedding).
     */
    static void sendCycling(String bootstrap, int n) throws Exception {
        sendCycling(bootstrap, n, 0, new AtomicInteger(), () -> false);
    }

    /**
     * Like {@link #sendCycling(String, int)}, paced to {@code ratePerSecond} (0: as fast as it goes), and going on
     * past {@code n} while {@code more} says so (a test whose faults must all strike under load); {@code sent} counts
     * the images handed to the producer, so another thread can time faults by it and knows the total at the end.
     */
    static void sendCycling(String bootstrap, int n, double ratePerSecond, AtomicInteger sent, BooleanSupplier more)
            throws Exception {
        LabeledImages sample = StreamingScenario.sample(Math.min(n, 10_000));
        try (ImageSender sender = new ImageSender(bootstrap, Topics.IMAGES.name(), ratePerSecond, Map.of())) {
            for (int i = 0; i < n || more.getAsBoolean(); i++, sent.incrementAndGet()) {
                int k = i % sample.count();
                sender.send(new LabeledImage("img-" + i, Integer.toString(sample.labels()[k]),
                        PngEncoder.gray(sample.image(k), sample.height(), sample.width())));
            }
            StreamingScenario.BAD.forEach((id, bytes) -> sender.send(new LabeledImage(id, "1", bytes)));
            sender.flush();
        }
    }

    static void provisionTopics(String bootstrap) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            new TopicProvisioner(admin, bootstrap, TopicProvisioner.DEFAULT_TIMEOUT).apply(TopicFiles.loadBundled());
        }
    }
}
