package io.hardneg.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.hardneg.service.OutputTally;
import io.hardneg.stream.Topics;
import io.hardneg.topics.TopicDeclaration;
import io.hardneg.topics.TopicFiles;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three brokers, replicated, and one dies (issue #19, section 1): a 3-node KRaft cluster in child JVMs
 * ({@link KafkaCluster}), every topic at replication factor 3 and min ISR 2, two {@code serve} instances, and a
 * steady stream of images. Under it: SIGKILL the broker leading the most {@code images} partitions, start it again;
 * SIGKILL one {@code serve}; SIGKILL the active controller, start it again. Nobody restarts the surviving service.
 * Then read_committed: every image embedded once, every triplet's members embedded, and for each fault the time
 * with no output, from the broker's own append timestamps of {@code embeddings}.
 *
 * <p>Sizes are system properties: at least {@code hardneg.it.cluster.images} images (default 20,000; more while a
 * fault is still due) at {@code hardneg.it.cluster.rate} images/s (default 100), about 4 minutes on 2 quiet cores
 * (a loaded machine that cannot embed 100/s beside three brokers wants a lower rate, e.g. 8,000 at 50/s). Tagged {@code cluster} so a quick local run can leave it out ({@code -DexcludedGroups=cluster});
 * {@code mvn verify} runs it, like every {@code *IT}.
 */
@Tag("cluster")
// A safety net, not a speed bound: on 2 cores shared with other builds, the cluster alone took 2.5 min to start.
@Timeout(value = 15, unit = TimeUnit.MINUTES)
class ClusterIT {

    private static final int IMAGES = Integer.getInteger("hardneg.it.cluster.images", 20_000);
    private static final int RATE = Integer.getInteger("hardneg.it.cluster.rate", 100);
    private static final int NODES = 3;
    private static final int MIN_ISR = 2;
    /** How long a killed broker stays down: past its 9 s session, so the controller fences it and leaders move. */
    private static final Duration DOWN = Duration.ofSeconds(12);
    /** The least time between one fault's recovery and the next fault, so each one's outage is measured alone. */
    private static final Duration SETTLE = Duration.ofSeconds(15);
    /** Input behind, in seconds of the producer's rate, under which the service counts as caught up. */
    private static final int CAUGHT_UP = 3;
    private static final Duration CATCH_UP = Duration.ofSeconds(30);
    /** Far above the ~15 s a fault costs with Kafka's defaults; a service that needed a hand would never resume. */
    private static final Duration MAX_PAUSE = Duration.ofSeconds(60);
    private static final Duration OUTPUT_TIMEOUT = Duration.ofMinutes(4);
    private static final String APP_ID = "it-cluster";

    @TempDir
    Path dir;

    @Test
    void shouldLoseAndDuplicateNothingWhenABrokerTheControllerAndAnInstanceAreKilledUnderLoad() throws Exception {
        int atLeast = IMAGES;
        long t0 = System.nanoTime();
        try (KafkaCluster cluster = KafkaCluster.start(dir, NODES)) {
            String bootstrap = cluster.bootstrapServers();
            System.out.println("cluster up in " + (System.nanoTime() - t0) / 1_000_000 + " ms: " + bootstrap);
            // Given every topic replicated 3 times, min ISR 2, created by `topics apply` as an operator would
            createEmbeddingsWithAppendTime(cluster);
            applyTopics(bootstrap);
            // And two instances of `serve` against the cluster, replicating Streams' own topics the same way
            List<String> sets = List.of("topics.replication-factor=" + NODES, "topics.min-insync-replicas=" + MIN_ISR);
            ServiceProcess a = ServiceProcess.start(bootstrap, APP_ID, Figures.DIR.resolve("cluster-serve-a.log"),
                    "512m", List.of(), sets);
            ServiceProcess b = ServiceProcess.start(bootstrap, APP_ID, Figures.DIR.resolve("cluster-serve-b.log"),
                    "512m", List.of(), sets);
            List<Fault> faults = new ArrayList<>();
            int n;
            try (OutputTally tally = new OutputTally(bootstrap)) {
                a.awaitRunning(Duration.ofMinutes(2));
                b.awaitRunning(Duration.ofMinutes(2));
                // When images arrive steadily
                AtomicInteger sent = new AtomicInteger();
                AtomicBoolean faultsDone = new AtomicBoolean();
                CompletableFuture<Void> producer = CompletableFuture.runAsync(() -> {
                    try {
                        // Past IMAGES until the last fault is over, so every fault strikes under load.
                        FaultToleranceIT.sendCycling(bootstrap, atLeast, RATE, sent, () -> !faultsDone.get());
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
                // And the broker leading the most images partitions dies and comes back
                awaitLoad(sent, atLeast / 10, 0, producer, tally);
                int leader = busiestImagesLeader(cluster);
                faults.add(Fault.now("kill -9 broker " + leader + " (leads " + cluster.leaderCounts(
                        Topics.IMAGES.name()).get(leader) + " of 4 images partitions; controller "
                        + cluster.activeController() + ")", sent));
                cluster.kill(leader);
                Thread.sleep(DOWN.toMillis());
                faults.add(Fault.now("restart broker " + leader, sent));
                System.out.println("broker " + leader + " started in " + cluster.restart(leader).toMillis()
                        + " ms, in sync " + cluster.awaitFullIsr(Duration.ofMinutes(2)).toMillis() + " ms later");
                // And one of the two instances is killed
                awaitLoad(sent, 0, SETTLE.toMillis(), producer, tally);
                faults.add(Fault.now("kill -9 serve a (pid " + a.pid() + ")", sent));
                a.kill();
                // And later the active controller dies and comes back
                awaitLoad(sent, 0, SETTLE.toMillis(), producer, tally);
                int controller = cluster.activeController();
                faults.add(Fault.now("kill -9 active controller " + controller, sent));
                cluster.kill(controller);
                Thread.sleep(DOWN.toMillis());
                faults.add(Fault.now("restart controller " + controller, sent));
                System.out.println("node " + controller + " started in " + cluster.restart(controller).toMillis()
                        + " ms, in sync " + cluster.awaitFullIsr(Duration.ofMinutes(2)).toMillis()
                        + " ms later; controller now " + cluster.activeController());
                awaitLoad(sent, 0, SETTLE.toMillis(), producer, tally);
                faultsDone.set(true);
                producer.get(OUTPUT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                // Then the surviving instance, never restarted, finishes the stream
                n = sent.get();
                awaitOutputs(tally, n + StreamingScenario.BAD.size(), b);
                assertThat(b.isAlive()).as("the surviving instance is still running").isTrue();
            } finally {
                a.stop();
                b.stop();
            }
            long seconds = (System.nanoTime() - t0) / 1_000_000_000;
            StreamingScenario.Result r = StreamingScenario.verify(bootstrap, n);
            List<ConsumerRecord<byte[], byte[]>> embeddings = TopicContents.readAll(bootstrap,
                    Topics.EMBEDDINGS.name());
            long[] output = embeddings.stream().mapToLong(ConsumerRecord::timestamp).sorted().toArray();
            List<String> gaps = gaps(embeddings, faults);
            gaps.forEach(g -> System.out.println("no output " + g));
            Figures.record("3-broker cluster", r + " images=" + n + " rate=" + RATE + " gaps=" + gaps
                    + " duration_s=" + seconds);
            r.assertExactlyOnce();
            assertReplicated(cluster);
            assertThat(output[0]).as("output began before the first fault, so the pauses are measured under load")
                    .isLessThan(faults.get(0).atMs());
            for (Fault f : faults) {
                assertThat(java.util.Arrays.stream(output).anyMatch(t -> t > f.atMs()
                        && t <= f.atMs() + MAX_PAUSE.toMillis())).as("output resumed within %s of: %s", MAX_PAUSE,
                        f.what()).isTrue();
            }
        }
    }

    /** One fault, and when it happened on this machine's clock (the brokers' append times use the same clock). */
    private record Fault(String what, long atMs, int sentBefore) {

        static Fault now(String what, AtomicInteger sent) {
            System.out.println(java.time.LocalTime.now() + " " + what + " (" + sent.get() + " images sent)");
            return new Fault(what, System.currentTimeMillis(), sent.get());
        }
    }

    /**
     * For each fault, from the broker's own append timestamps of {@code embeddings}: how long until the next committed
     * embedding, and the longest time without one from the fault to the next fault (at most 60 s later) — over the
     * whole topic, and on the partition that waited longest (a killed instance's partitions wait for the group to
     * move them while the other instance's go on). After a kill the pause spanning the kill counts (the outage
     * itself); after a restart only what follows, since a pause spanning a restart is the kill's. LogAppendTime is the
     * leader's clock when it appended the batch, so this measures the service and the cluster, not how late this test
     * read them. The same over the 20 s before the first fault is the baseline.
     */
    private static List<String> gaps(List<ConsumerRecord<byte[], byte[]>> records, List<Fault> faults) {
        long[] all = records.stream().mapToLong(ConsumerRecord::timestamp).sorted().toArray();
        List<long[]> partitions = records.stream().collect(java.util.stream.Collectors.groupingBy(
                ConsumerRecord::partition)).values().stream()
                .map(rs -> rs.stream().mapToLong(ConsumerRecord::timestamp).sorted().toArray()).toList();
        List<String> out = new ArrayList<>();
        long first = faults.get(0).atMs();
        out.add(String.format("baseline (20 s before the first fault): longest %d ms, on one partition %d ms",
                longest(all, first - 20_000, first, false), longestOnOne(partitions, first - 20_000, first, false)));
        for (int i = 0; i < faults.size(); i++) {
            Fault f = faults.get(i);
            long to = i + 1 < faults.size() ? Math.min(faults.get(i + 1).atMs(), f.atMs() + 60_000)
                    : f.atMs() + 60_000;
            boolean kill = f.what().startsWith("kill");
            long next = java.util.Arrays.stream(all).filter(t -> t > f.atMs()).findFirst().orElse(Long.MAX_VALUE)
                    - f.atMs();
            out.add(String.format("%s: next output after %d ms, longest %d ms, on one partition %d ms", f.what(), next,
                    longest(all, f.atMs(), to, kill), longestOnOne(partitions, f.atMs(), to, kill)));
        }
        return out;
    }

    private static long longestOnOne(List<long[]> partitions, long from, long to, boolean spanning) {
        return partitions.stream().mapToLong(p -> longest(p, from, to, spanning)).max().orElse(0);
    }

    /**
     * The largest difference between consecutive timestamps of a pair that starts at or after {@code from} and ends
     * by {@code to}; with {@code spanning}, also the pair around {@code from} (however late its end).
     */
    private static long longest(long[] sorted, long from, long to, boolean spanning) {
        long max = 0;
        for (int i = 1; i < sorted.length; i++) {
            boolean inside = sorted[i - 1] >= from && sorted[i] <= to;
            boolean around = spanning && sorted[i - 1] <= from && sorted[i] > from;
            if (inside || around) {
                max = Math.max(max, sorted[i] - sorted[i - 1]);
            }
        }
        return max;
    }

    /** Of the nodes leading the most images partitions, one that is not the controller when there is a choice. */
    private static int busiestImagesLeader(KafkaCluster cluster) throws Exception {
        Map<Integer, Integer> counts = cluster.leaderCounts(Topics.IMAGES.name());
        int most = counts.values().stream().max(Integer::compare).orElseThrow();
        int controller = cluster.activeController();
        List<Integer> busiest = counts.entrySet().stream().filter(e -> e.getValue() == most).map(Map.Entry::getKey)
                .sorted().toList();
        System.out.println("images leaders " + counts + ", controller " + controller);
        return busiest.stream().filter(id -> id != controller).findFirst().orElse(busiest.get(0));
    }

    /**
     * embeddings as declared in topics/ at RF 3, min ISR 2, but stamped by the broker (LogAppendTime): the service
     * stamps each embedding with its image's time, which says nothing about when it came out. `topics apply` then
     * finds it existing and leaves it alone.
     */
    private static void createEmbeddingsWithAppendTime(KafkaCluster cluster) throws Exception {
        TopicDeclaration d = TopicFiles.loadBundled().stream()
                .filter(t -> t.name().equals(Topics.EMBEDDINGS.name())).findFirst().orElseThrow()
                .withReplication(NODES, MIN_ISR);
        Map<String, String> configs = new HashMap<>(d.configs());
        configs.put(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, "LogAppendTime");
        cluster.admin().createTopics(List.of(new NewTopic(d.name(), d.partitions(), d.replicas()).configs(configs)))
                .all().get(30, TimeUnit.SECONDS);
    }

    /** {@code hardneg topics apply --replication-factor 3 --min-insync-replicas 2}, the command itself. */
    private static void applyTopics(String bootstrap) throws Exception {
        Path log = Figures.DIR.resolve("cluster-topics-apply.log");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "io.hardneg.cli.Main", "topics", "apply",
                "--bootstrap-servers", bootstrap, "--replication-factor", Integer.toString(NODES),
                "--min-insync-replicas", Integer.toString(MIN_ISR))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        assertThat(p.waitFor(2, TimeUnit.MINUTES)).as("topics apply finished").isTrue();
        assertThat(p.exitValue()).as("topics apply exit code; see %s", log).isZero();
    }

    /**
     * Every topic on the cluster — ours, Kafka Streams' changelogs and repartition topics, the offsets and transaction
     * logs — has 3 replicas and min ISR 2, and ours and Streams' carry it as their own topic config (the brokers'
     * default replication factor is 1, so nothing here is replicated by accident).
     */
    private static void assertReplicated(KafkaCluster cluster) throws Exception {
        Map<String, TopicDescription> all = cluster.describeAll();
        assertThat(all).containsKeys("__consumer_offsets", "__transaction_state");
        assertThat(all.keySet().stream().filter(t -> t.startsWith(APP_ID + "-")).toList())
                .as("Kafka Streams' internal topics").isNotEmpty();
        List<ConfigResource> resources = all.keySet().stream()
                .map(t -> new ConfigResource(ConfigResource.Type.TOPIC, t)).toList();
        Map<ConfigResource, Config> configs = cluster.admin().describeConfigs(resources).all()
                .get(30, TimeUnit.SECONDS);
        Map<String, String> wrong = new LinkedHashMap<>();
        for (TopicDescription t : all.values()) {
            t.partitions().forEach(p -> {
                if (p.replicas().size() != NODES) {
                    wrong.put(t.name() + "-" + p.partition(), p.replicas().size() + " replicas");
                }
            });
            ConfigEntry minIsr = configs.get(new ConfigResource(ConfigResource.Type.TOPIC, t.name()))
                    .get(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG);
            boolean ours = !t.name().startsWith("__");
            if (!minIsr.value().equals(Integer.toString(MIN_ISR))
                    || ours && minIsr.source() != ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG) {
                wrong.put(t.name(), "min.insync.replicas=" + minIsr.value() + " from " + minIsr.source());
            }
        }
        System.out.println("replicated topics: " + all.keySet());
        assertThat(wrong).as("topics not at RF %d / min ISR %d", NODES, MIN_ISR).isEmpty();
    }

    /**
     * Waits until {@code count} images were sent, at least {@code settleMs} passed and the service has caught up
     * (under {@link #CAUGHT_UP} seconds of input behind), so the next fault starts from a steady state and its pause
     * is its own; printing progress every 10 s. A service that has not caught up after {@link #CATCH_UP} goes on.
     */
    private static void awaitLoad(AtomicInteger sent, int count, long settleMs, CompletableFuture<Void> producer,
                                  OutputTally tally) throws Exception {
        long notBefore = System.currentTimeMillis() + settleMs;
        long giveUp = notBefore + CATCH_UP.toMillis();
        long nextPrint = 0;
        while (sent.get() < count || System.currentTimeMillis() < notBefore
                || sent.get() - (tally.embedded() + tally.deadLettered()) > CAUGHT_UP * RATE) {
            if (producer.isDone()) {
                producer.get(); // rethrows the producer's failure
            }
            if (System.currentTimeMillis() >= nextPrint) {
                System.out.println(java.time.LocalTime.now() + " sent " + sent.get() + ", committed outputs "
                        + (tally.embedded() + tally.deadLettered()));
                nextPrint = System.currentTimeMillis() + 10_000;
            }
            if (System.currentTimeMillis() > giveUp) {
                System.out.println("not caught up after " + CATCH_UP + "; the next fault strikes anyway");
                return;
            }
            Thread.sleep(50);
        }
    }

    private static void awaitOutputs(OutputTally tally, long count, ServiceProcess survivor) throws Exception {
        long deadline = System.nanoTime() + OUTPUT_TIMEOUT.toNanos();
        long nextPrint = 0;
        while (tally.embedded() + tally.deadLettered() < count) {
            if (System.currentTimeMillis() >= nextPrint) {
                System.out.println(java.time.LocalTime.now() + " committed outputs "
                        + (tally.embedded() + tally.deadLettered()) + " of " + count);
                nextPrint = System.currentTimeMillis() + 10_000;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("stalled at " + (tally.embedded() + tally.deadLettered()) + " of " + count
                        + "; surviving instance's output:\n" + survivor.outputTail());
            }
            if (!survivor.isAlive()) {
                throw new AssertionError("the surviving instance died; output:\n" + survivor.outputTail());
            }
            Thread.sleep(100);
        }
    }
}
