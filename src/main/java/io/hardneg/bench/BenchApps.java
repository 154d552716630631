package io.hardneg.bench;

import io.hardneg.config.HardnegConfig;
import io.hardneg.mining.MemoryBank;
import io.hardneg.service.HardnegService;
import io.hardneg.stream.PipelineObserver;
import io.hardneg.stream.StageTimer;
import io.hardneg.stream.StreamsSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.streams.KafkaStreams;

/** The applications the streaming stages start: the service itself, or the passthrough topology. */
final class BenchApps {

    private BenchApps() {
    }

    /** Starts a stage's application. */
    @FunctionalInterface
    interface Starter {
        Running start() throws Exception;
    }

    /**
     * A started application: its Kafka Streams, one per instance (for their clients' metrics), and what stops it.
     */
    record Running(List<KafkaStreams> instances, AutoCloseable stop) implements AutoCloseable {

        Running {
            instances = List.copyOf(instances);
        }

        @Override
        public void close() throws Exception {
            stop.close();
        }

        static Running of(HardnegService service) {
            return new Running(List.of(service.streams()), service);
        }

        /** Instances of one application (one consumer group), stopped together. */
        static Running ofAll(List<HardnegService> services) {
            return new Running(services.stream().map(HardnegService::streams).toList(), () -> closeAll(services));
        }

        /** Where the stream threads waited, summed over every instance's threads. */
        StreamTime.Totals streamTime() {
            return instances.stream().map(s -> StreamTime.read(s.metrics())).reduce(StreamTime.Totals::plus)
                    .orElseThrow();
        }

        /** Records each instance's stream threads have processed so far, in the order the instances started. */
        long[] processed() {
            return instances.stream().mapToLong(s -> StreamTime.processed(s.metrics())).toArray();
        }
    }

    /** A fresh application id for each stage, so that each reads the backlog from its start. */
    static Map<String, String> stageFlags(String bootstrap, String stage, Map<String, String> extra) {
        Map<String, String> m = new LinkedHashMap<>(extra);
        m.put("bootstrap.servers", bootstrap);
        m.put("application.id", "hardneg-bench-" + stage + "-" + System.nanoTime());
        return m;
    }

    static HardnegService startService(HardnegConfig config) throws Exception {
        return startService(config, PipelineObserver.NONE);
    }

    static HardnegService startService(HardnegConfig config, PipelineObserver observer) throws Exception {
        return startService(config, observer, StageTimer.NONE);
    }

    static HardnegService startService(HardnegConfig config, PipelineObserver observer, StageTimer timer)
            throws Exception {
        HardnegService service = HardnegService.start(config, observer, timer);
        if (!service.awaitRunning(Duration.ofMinutes(2))) {
            service.close();
            throw new IllegalStateException("the service did not reach RUNNING");
        }
        return service;
    }

    /**
     * Starts {@code n} instances of one application (the same config, so the same application id) at once, and
     * awaits them all. Kafka Streams gives a stateful task to a newcomer only when its state lags by at most
     * {@code acceptable.recovery.lag} (10,000 records), else after a probing rebalance 10 minutes later; an instance
     * that ran alone while the next loaded its model could write more than that to the batch buffer's changelog
     * (it did on a loaded 2-core machine: the second instance idled), so the pipeline stage lifts that lag.
     */
    static List<HardnegService> startServices(HardnegConfig config, int n, PipelineObserver observer,
                                              StageTimer timer, BenchLog log) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(n);
        List<Future<HardnegService>> starting = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            starting.add(pool.submit(() -> HardnegService.start(config, observer, timer)));
        }
        pool.shutdown();
        List<HardnegService> services = new ArrayList<>();
        Exception failure = null;
        for (Future<HardnegService> f : starting) {
            try {
                services.add(f.get());
            } catch (ExecutionException e) {
                failure = failure != null ? failure
                        : e.getCause() instanceof Exception cause ? cause : new IllegalStateException(e.getCause());
            }
        }
        for (int i = 0; failure == null && i < services.size(); i++) {
            if (!services.get(i).awaitRunning(Duration.ofMinutes(2))) {
                failure = new IllegalStateException("instance " + (i + 1) + " of " + n + " did not reach RUNNING");
            }
        }
        if (failure != null) {
            closeAll(services);
            throw failure;
        }
        if (n > 1) {
            // Measuring anyway after a timeout still gives figures; pipeline_share_by_instance then shows the skew.
            List<KafkaStreams> group = services.stream().map(HardnegService::streams).toList();
            if (!awaitTasksSpread(group, Duration.ofSeconds(60))) {
                log.line("pipeline: the %d instances still hold the tasks unevenly after 60 s; measuring anyway", n);
            } else if (!awaitUnchanged(() -> activeTasks(group), Duration.ofSeconds(1), Duration.ofSeconds(30))) {
                log.line("pipeline: the instances' tasks were still moving 30 s after the even split; measuring anyway");
            } else if (!awaitAllProcessing(group, Duration.ofSeconds(30))) {
                log.line("pipeline: an instance processed nothing for 30 s after the even split; measuring anyway");
            }
        }
        return services;
    }

    /**
     * Waits until every instance has processed a record since the call; false if one has not within
     * {@code timeout}. A task just moved to an instance first restores its changelog there, processing nothing, so
     * an even split of tasks is not yet an even split of the work.
     */
    static boolean awaitAllProcessing(List<KafkaStreams> instances, Duration timeout) throws InterruptedException {
        long[] start = instances.stream().mapToLong(s -> StreamTime.processed(s.metrics())).toArray();
        return awaitTrue(timeout, () -> IntStream.range(0, start.length)
                .allMatch(i -> StreamTime.processed(instances.get(i).metrics()) > start[i]));
    }

    /**
     * Waits until the instances hold the active tasks evenly (each within one of an equal share); false if that
     * has not happened within {@code timeout}. RUNNING does not say it: an instance can be RUNNING with few or no
     * tasks while the group's follow-up rebalance is still to move some to it, and the stage would then measure
     * mostly one instance.
     */
    static boolean awaitTasksSpread(List<KafkaStreams> instances, Duration timeout) throws InterruptedException {
        return awaitTrue(timeout, () -> isSpread(instances.stream().mapToInt(s -> s.metadataForLocalThreads()
                .stream().mapToInt(t -> t.activeTasks().size()).sum()).toArray()));
    }

    /** Each instance's active tasks, by id. */
    private static List<Set<String>> activeTasks(List<KafkaStreams> instances) {
        return instances.stream().map(s -> s.metadataForLocalThreads().stream()
                .flatMap(t -> t.activeTasks().stream()).map(t -> t.taskId().toString())
                .collect(Collectors.toSet())).toList();
    }

    /**
     * Polls {@code state} every 50 ms until it has not changed for {@code quiet} (true), or {@code timeout} has passed
     * (false). An even split can be followed by another rebalance that moves a task between the instances (it
     * restores there, processing nothing), which in the measured rounds left one instance with 6% of the records.
     */
    static boolean awaitUnchanged(Supplier<?> state, Duration quiet, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Object last = state.get();
        long since = System.nanoTime();
        while (System.nanoTime() - since < quiet.toNanos()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(50);
            Object now = state.get();
            if (!now.equals(last)) {
                last = now;
                since = System.nanoTime();
            }
        }
        return true;
    }

    /** Polls {@code condition} every 50 ms until it holds (true) or {@code timeout} has passed (false). */
    static boolean awaitTrue(Duration timeout, BooleanSupplier condition)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(50);
        }
        return true;
    }

    /** Whether active task counts {@code own} (one per instance) are even: each within one of tasks / instances. */
    static boolean isSpread(int[] own) {
        int tasks = Arrays.stream(own).sum();
        if (tasks == 0) {
            return false;
        }
        int least = tasks / own.length;
        int most = (tasks + own.length - 1) / own.length;
        return Arrays.stream(own).allMatch(n -> n >= least && n <= most);
    }

    /** Closes the instances at once: one by one, each leaving would hand its tasks to those still closing. */
    private static void closeAll(List<HardnegService> services) throws InterruptedException {
        List<Thread> closing = new ArrayList<>();
        for (HardnegService s : services) {
            Thread t = new Thread(s::close, "bench-close");
            t.start();
            closing.add(t);
        }
        for (Thread t : closing) {
            t.join();
        }
    }

    static Running startPassthrough(HardnegConfig config, int dim) throws Exception {
        Path state = Files.createTempDirectory("hardneg-bench-streams-");
        MemoryBank bank = new MemoryBank(dim, config.bank().perLabel(), config.bank().max(),
                config.bank().imagesMaxBytes());
        KafkaStreams streams = new KafkaStreams(PassthroughTopology.build(config, dim, bank),
                StreamsSettings.of(config, state.toString()));
        streams.start();
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (streams.state() != KafkaStreams.State.RUNNING) {
            if (System.nanoTime() > deadline || streams.state() == KafkaStreams.State.ERROR) {
                streams.close(Duration.ofSeconds(10));
                throw new IllegalStateException("the passthrough topology did not reach RUNNING: " + streams.state());
            }
            Thread.sleep(20);
        }
        return new Running(List.of(streams), () -> {
            streams.close(Duration.ofSeconds(30));
            deleteQuietly(state);
        });
    }

    private static void deleteQuietly(Path dir) {
        try (var paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // temp files only
        }
    }
}
