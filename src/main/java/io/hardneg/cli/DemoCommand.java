package io.hardneg.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.hardneg.broker.BrokerOptions;
import io.hardneg.broker.EmbeddedKafkaBroker;
import io.hardneg.config.HardnegConfig;
import io.hardneg.data.FashionMnist;
import io.hardneg.data.LabeledImages;
import io.hardneg.producer.ImageSender;
import io.hardneg.producer.ImageSource;
import io.hardneg.producer.LabeledImage;
import io.hardneg.service.HardnegService;
import io.hardneg.service.OutputTally;
import io.hardneg.stream.PipelineObserver;
import io.hardneg.stream.Topics;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code hardneg demo}: in-process broker + service + a replay of the bundled Fashion-MNIST sample. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Starts a real in-process Kafka broker and the service, replays the bundled Fashion-MNIST",
                "test split (all 10 classes, so the model's held-out classes appear) and prints what was mined."})
final class DemoCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ConfigOptions options;

    @Option(names = "--images", defaultValue = "10000", paramLabel = "N",
            description = "How many sample images to replay, 1..10000 (default: ${DEFAULT-VALUE}).")
    int images;

    @Option(names = "--rate", defaultValue = "0", paramLabel = "N", description = "Images per second; 0 = as fast as possible.")
    double rate;

    @Option(names = "--timeout", defaultValue = "600", paramLabel = "SECONDS",
            description = "Give up when the service has not processed everything by then (default: ${DEFAULT-VALUE}).")
    int timeoutSeconds;

    @Option(names = "--json", description = "Print one JSON object as the last line of stdout.")
    boolean json;

    @Option(names = "--keep-running", description = "After the summary, keep serving the live page until Ctrl-C.")
    boolean keepRunning;

    @Option(names = "--http-port", defaultValue = "0", paramLabel = "PORT",
            description = "Port of the live page and /metrics (default: a free port).")
    int httpPort;

    @Option(names = "--label-noise", defaultValue = "0", paramLabel = "R",
            description = "Give a share R of the images (0..1, chosen with --seed) a wrong label, then report how well "
                    + "suspect-labels finds them (default: ${DEFAULT-VALUE}).")
    double labelNoise;

    @Option(names = "--seed", defaultValue = "42", paramLabel = "N",
            description = "Seed of --label-noise, --repeat's order and --augment (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--flipped-out", paramLabel = "FILE", description = "Write the ids whose label --label-noise flipped, one a line.")
    java.nio.file.Path flippedOut;

    @Option(names = "--repeat", defaultValue = "1", paramLabel = "N",
            description = "Send each image N times (1..10, shuffled): the second copy exact, later ones augmented with "
                    + "--augment; runs twice, duplicate suppression on and off, and compares them (default: ${DEFAULT-VALUE}).")
    int repeat;

    @Option(names = "--augment", description = "With --repeat: copies after the second get a small seeded shift and pixel noise.")
    boolean augment;

    @Override
    public Integer call() throws Exception {
        if (images < 1 || images > 10_000) {
            throw new ParameterException(spec.commandLine(), "--images must be 1..10000, found " + images);
        }
        if (!(labelNoise >= 0 && labelNoise <= 1)) {
            throw new ParameterException(spec.commandLine(), "--label-noise must be 0..1, found " + labelNoise);
        }
        if (repeat < 1 || repeat > 10) {
            throw new ParameterException(spec.commandLine(), "--repeat must be 1..10, found " + repeat);
        }
        LabeledImages sample = FashionMnist.bundled().head(images);
        DemoInput input = DemoInput.of(sample, labelNoise, seed, repeat, augment);
        if (flippedOut != null) {
            java.nio.file.Files.write(flippedOut, input.flippedIds());
        }
        if (repeat == 1) {
            return run(input, Map.of(), keepRunning, null);
        }
        PrintWriter out = spec.commandLine().getOut();
        out.printf(Locale.ROOT, "each image %d times%s; run 1 of 2: duplicate suppression on%n", repeat,
                augment ? " (augmented)" : "");
        DemoInput.Dedup on = new DemoInput.Dedup();
        run(input, Map.of(), false, on);
        out.println("run 2 of 2: duplicate suppression off (dedup.exact.window=0, dedup.near.epsilon=0)");
        DemoInput.Dedup off = new DemoInput.Dedup();
        run(input, Map.of("dedup.exact.window", "0", "dedup.near.epsilon", "0"), false, off);
        out.println();
        out.printf(Locale.ROOT, "suppression   triplets  triplets/s  distinct negatives  exact dups skipped  near dups skipped%n");
        for (var e : List.of(Map.entry("on", on), Map.entry("off", off))) {
            DemoInput.Dedup d = e.getValue();
            out.printf(Locale.ROOT, "%-11s %10d %11.0f %19.3f %19d %18d%n", e.getKey(), d.triplets(), d.tripletsPerSecond(),
                    d.distinctNegativeShare(), d.duplicates(), d.nearDuplicates());
        }
        if (json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("images", images);
            m.put("repeat", repeat);
            m.put("augment", augment);
            m.put("seed", seed);
            m.put("suppression_on", on.toMap());
            m.put("suppression_off", off.toMap());
            out.println(new ObjectMapper().writeValueAsString(m));
        }
        out.flush();
        return 0;
    }

    private int run(DemoInput input, Map<String, String> extra, boolean keepRunning, DemoInput.Dedup dedup)
            throws Exception {
        // With --keep-running the demo ends on Ctrl-C: the hook wakes the main thread and waits (bounded) until it
        // has closed the service and the broker, so their temp directories are deleted rather than left behind.
        CountDownLatch stop = new CountDownLatch(1);
        CountDownLatch closed = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            stop.countDown();
            try {
                closed.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "hardneg-demo-shutdown");
        try {
            if (keepRunning) {
                Runtime.getRuntime().addShutdownHook(hook);
            }
            return runOnBroker(input, extra, keepRunning, dedup, stop);
        } finally {
            closed.countDown();
        }
    }

    private int runOnBroker(DemoInput input, Map<String, String> extra, boolean keepRunning, DemoInput.Dedup dedup,
                            CountDownLatch stop) throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(BrokerOptions.defaults())) {
            out.println("in-process Kafka broker (KRaft) on " + broker.bootstrapServers());
            Map<String, String> flags = new LinkedHashMap<>();
            flags.put("bootstrap.servers", broker.bootstrapServers());
            flags.put("http.port", Integer.toString(httpPort));
            flags.putAll(extra);
            HardnegConfig config = options.load(flags);
            PipelineObserver counter = dedup == null ? PipelineObserver.NONE : dedup;
            try (HardnegService service = HardnegService.start(config, counter);
                 OutputTally tally = new OutputTally(broker.bootstrapServers())) {
                if (!service.awaitRunning(Duration.ofMinutes(2))) {
                    throw new IllegalStateException("the service did not start (Kafka Streams state "
                            + service.streams().state() + ")");
                }
                var info = service.model().info();
                out.printf(Locale.ROOT, "model %s v%s on %s; replaying %d Fashion-MNIST test images%n", info.name(),
                        info.version(), service.model().device().name(), input.images().size());
                out.printf(Locale.ROOT, "live page: http://%s:%d/%n", config.http().host(), service.httpPort());
                out.flush();
                Summary s = replay(config, input.source(), tally);
                if (dedup != null) {
                    dedup.record(s.seconds(), tally);
                    return 0;
                }
                print(out, s, info.version(), tally, input);
                if (keepRunning) {
                    out.println("serving the live page until Ctrl-C");
                    out.flush();
                    stop.await();
                    out.println("stopping: closing the service and the in-process broker");
                    out.flush();
                }
            }
        }
        return 0;
    }

    private record Summary(int sent, double seconds) {
    }

    private Summary replay(HardnegConfig config, ImageSource source, OutputTally tally) throws InterruptedException {
        Progress progress = new Progress(System.err, "demo", source.size());
        long start = System.nanoTime();
        try (ImageSender sender = new ImageSender(config.bootstrapServers(), Topics.IMAGES.name(), rate, Map.of())) {
            for (LabeledImage img : source) {
                sender.send(img);
                progress.update(done(tally), extra(tally, start));
            }
            sender.flush();
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(timeoutSeconds).toNanos();
        while (done(tally) < source.size()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out after " + timeoutSeconds + " s with " + done(tally) + " of "
                        + source.size() + " images processed");
            }
            progress.update(done(tally), extra(tally, start));
            Thread.sleep(100);
        }
        progress.update(done(tally), extra(tally, start));
        double secs = Math.max(1e-9, (tally.lastEmbeddedAtNanos() - start) / 1e9);
        return new Summary(source.size(), secs);
    }

    private static long done(OutputTally t) {
        return t.embedded() + t.deadLettered();
    }

    private static String extra(OutputTally t, long start) {
        double secs = Math.max(1e-9, (System.nanoTime() - start) / 1e9);
        return String.format(Locale.ROOT, "| triplets %d (%.0f/s)", t.hard() + t.semihard(), (t.hard() + t.semihard()) / secs);
    }

    private void print(PrintWriter out, Summary s, String version, OutputTally t, DemoInput input) throws Exception {
        double ips = t.embedded() / s.seconds();
        out.println();
        out.printf(Locale.ROOT, "images        %8d%n", s.sent());
        out.printf(Locale.ROOT, "embedded      %8d%n", t.embedded());
        out.printf(Locale.ROOT, "dead-lettered %8d %s%n", t.deadLettered(), t.deadLetteredByCode().isEmpty() ? ""
                : t.deadLetteredByCode());
        out.printf(Locale.ROOT, "triplets      %8d hard, %d semi-hard%n", t.hard(), t.semihard());
        out.printf(Locale.ROOT, "throughput    %8.0f images/s%n", ips);
        List<Map.Entry<String, Long>> top = t.hardNegativePairs().entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder())).limit(5).toList();
        if (!top.isEmpty()) {
            out.println("class pairs producing the most hard negatives (anchor → negative):");
            for (Map.Entry<String, Long> e : top) {
                String[] ab = e.getKey().split("→");
                out.printf(Locale.ROOT, "  %-12s → %-12s %6d%n", name(ab[0]), ab.length > 1 ? name(ab[1]) : "?", e.getValue());
            }
        }
        DemoInput.Mislabels ml = input.flipped().isEmpty() ? null : input.score(t.suspects(), t.tripletMembers());
        out.printf(Locale.ROOT, "suspect-labels%8d%n", t.suspects().size());
        if (ml != null) {
            out.printf(Locale.ROOT, "label noise   %8d flipped (seed %d): suspect precision %.3f, recall %.3f; %d flipped images "
                    + "leaked into hard-negatives%n", input.flipped().size(), seed, ml.precision(), ml.recall(), ml.leaked());
        }
        if (json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("images", s.sent());
            m.put("embedded", t.embedded());
            m.put("dlq", t.deadLettered());
            m.put("triplets_hard", t.hard());
            m.put("triplets_semihard", t.semihard());
            m.put("images_per_s", Math.round(ips * 10) / 10.0);
            m.put("model_version", version);
            m.put("suspects", t.suspects().size());
            if (ml != null) {
                m.put("label_noise", labelNoise);
                m.put("seed", seed);
                m.put("flipped", input.flipped().size());
                m.put("suspect_precision", Math.round(ml.precision() * 1000) / 1000.0);
                m.put("suspect_recall", Math.round(ml.recall() * 1000) / 1000.0);
                m.put("flipped_leaked_into_hard_negatives", ml.leaked());
            }
            m.put("top_hard_pairs", top.stream().map(e -> Map.of("pair", e.getKey(), "count", e.getValue())).toList());
            out.println(new ObjectMapper().writeValueAsString(m));
        }
        out.flush();
    }

    private static String name(String label) {
        try {
            return FashionMnist.className(Integer.parseInt(label));
        } catch (NumberFormatException e) {
            return label;
        }
    }
}
