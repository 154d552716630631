package io.hardneg.bench;

import io.hardneg.config.HardnegConfig;
import io.hardneg.data.FashionMnist;
import io.hardneg.data.LabeledImages;
import io.hardneg.mining.EmbeddedImage;
import io.hardneg.model.EmbeddingModel;
import io.hardneg.model.ModelOptions;
import io.hardneg.model.ModelSource;
import io.hardneg.producer.ImageSender;
import io.hardneg.producer.ImageSource;
import io.hardneg.producer.LabeledImage;
import io.hardneg.stream.Topics;
import io.hardneg.topics.TopicProvisioner;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Runs every bench stage in one process against one broker and returns the figures: throughput ceilings and the
 * pipeline's share of them, measured in the same run so that the ratios survive a noisy, shared machine.
 */
public final class BenchRunner {

    /**
     * What to run.
     *
     * @param images       images preloaded into {@code images} for the streaming stages
     * @param batches      batch sizes of the ORT ceiling
     * @param config       the service configuration with the given overrides (bootstrap, application id, ...)
     * @param seconds      scale of every stage's time budget; 1 is the default run, small values make a smoke test
     * @param miningSizes  bank sizes of the mining stage
     * @param stages       the stages to run, of {@link #STAGES}; latency needs pipeline (it runs at half its rate)
     * @param repeats      how many times passthrough and pipeline run, alternating
     * @param instances    instances of the service the pipeline stage runs, one consumer group in this process
     * @param latencyRate  images/s of the latency stage; 0 for half the measured pipeline rate
     * @param latencyWarmup the least seconds the latency stage is fed at its rate before measuring (a soak); 0 for
     *                     no minimum
     * @param latencyCsv   where to write each latency sample ({@code sent_ms,latency_ms}); null for nowhere
     * @param soak         the soak's length, rate, reading interval and table file (null for none)
     */
    public record Options(int images, int[] batches, Function<Map<String, String>, HardnegConfig> config,
                          double seconds, int[] miningSizes, Set<String> stages, int repeats, int instances,
                          double latencyRate, double latencyWarmup, Path latencyCsv, Soak soak) {

        public Options {
            if (repeats < 1) {
                throw new IllegalArgumentException("repeats must be >= 1, found " + repeats);
            }
            // Each instance loads its own model and stream threads in this one JVM, on one broker: past 16 it
            // measures the machine's contention, not the group's scaling.
            if (instances < 1 || instances > MAX_INSTANCES) {
                throw new IllegalArgumentException("--instances must be between 1 and " + MAX_INSTANCES + ", found "
                        + instances);
            }
            if (!(latencyWarmup >= 0)) {
                throw new IllegalArgumentException("latency warm-up must be >= 0 seconds, found " + latencyWarmup);
            }
            if (stages.contains("soak") && !stages.contains("pipeline") && !(soak.rate() > 0)) {
                // The soak's default rate is half the pipeline's: measure it first.
                stages = new java.util.HashSet<>(stages);
                stages.add("pipeline");
            }
            stages = Set.copyOf(stages);
            for (String st : stages) {
                if (!STAGES.contains(st)) {
                    throw new IllegalArgumentException("unknown bench stage '" + st + "'; stages are "
                            + String.join(", ", STAGES));
                }
            }
            if (instances > 1 && !stages.contains("pipeline")) {
                throw new IllegalArgumentException("--instances applies to the pipeline stage only: add 'pipeline' "
                        + "to the stages");
            }
            if (stages.contains("latency") && !stages.contains("pipeline") && !(latencyRate > 0)) {
                throw new IllegalArgumentException("the latency stage runs at half the pipeline's measured rate: "
                        + "add 'pipeline' to the stages, or give --latency-rate");
            }
        }

        boolean runs(String stage) {
            return stages.contains(stage);
        }
    }

    /**
     * The latency stage's default soak at its rate, in seconds at time scale 1. On two cores the JIT still compiles
     * the in-process broker's and the clients' code a minute after the stage starts, taking a fifth of a core or
     * more; stalls from it set the tail of a fresh JVM, not of a service that has run for a while.
     */
    public static final double LATENCY_SOAK_SECONDS = 60;

    /** The most instances the pipeline stage runs. */
    public static final int MAX_INSTANCES = 16;

    /**
     * The soak stage's settings.
     *
     * @param minutes         how long it is fed
     * @param rate            images/s; 0 for half the measured pipeline rate
     * @param intervalSeconds how often the resources and the latency are read (a row of the table)
     * @param csv             where to write the table; null for nowhere
     */
    public record Soak(double minutes, double rate, double intervalSeconds, Path csv) {

        public Soak {
            if (!(minutes > 0) || !(intervalSeconds > 0) || !(rate >= 0)) {
                throw new IllegalArgumentException("the soak needs minutes > 0, an interval > 0 and a rate >= 0; found "
                        + minutes + " min, " + intervalSeconds + " s, " + rate + " images/s");
            }
        }

        /** 30 minutes at half the pipeline's rate, read every minute. */
        public static Soak defaults() {
            return new Soak(30, 0, 60, null);
        }
    }

    /** Every stage, in the order they run. */
    public static final List<String> STAGES = List.of("ort", "decode", "passthrough", "per-record", "pipeline",
            "mining", "latency", "soak");

    private final Options options;
    private final BenchLog log;

    public BenchRunner(Options options, java.io.PrintStream progress) {
        this.options = options;
        this.log = new BenchLog(progress);
    }

    /** Runs the stages against the broker at {@code bootstrap}; keys are those of docs/performance.md. */
    public Map<String, Object> run(String bootstrap) throws Exception {
        Map<String, Object> r = new LinkedHashMap<>();
        HardnegConfig base = options.config().apply(Map.of("bootstrap.servers", bootstrap));
        double s = options.seconds();
        ModelSource source = base.modelPath() == null ? ModelSource.defaultModel() : ModelSource.path(base.modelPath());
        List<byte[]> pngs = new ArrayList<>();
        List<LabeledImage> sample = new ArrayList<>();
        LabeledImages head = FashionMnist.bundled().head(Math.min(10_000, options.images()));
        for (LabeledImage img : ImageSource.idx(head, "fmnist")) {
            sample.add(img);
            pngs.add(img.bytes());
        }
        int dim;
        List<EmbeddedImage> bundled = List.of();
        int cores = Runtime.getRuntime().availableProcessors();
        ModelOptions modelOptions = new ModelOptions(base.inference().device(), base.inference().threads(),
                base.inference().spin(), null, null);
        OrtStage.Figures ort = null;
        try (EmbeddingModel model = EmbeddingModel.load(source, modelOptions)) {
            var info = model.info();
            dim = info.embeddingDim();
            String input = info.inputSpec().channels() + "x" + info.inputSpec().height() + "x"
                    + info.inputSpec().width();
            new ModelFacts(info.name() + " v" + info.version(), input, dim, model.device().name(), cores,
                    modelOptions.effectiveIntraOpThreads(cores), base.inference().spin()).writeTo(r);
            if (options.runs("ort")) {
                log.line("[1/8] ORT ceiling of %s (%s → %d) on %s", info.name(), input, dim, model.device().name());
                ort = OrtStage.run(model, source, modelOptions, options.batches(), 2.0 * s, log);
                ort.writeTo(r);
            }
            if (options.runs("decode")) {
                log.line("[2/8] decode of the bundled PNGs into %s", input);
                DecodeStage.run(info.inputSpec(), base, pngs, 1.5 * s).writeTo(r);
            }
            if (options.runs("mining")) {
                bundled = MiningStage.embed(model, head, sample);
            }
        }
        if (options.runs("mining")) {
            MiningStage.run(base, options.miningSizes(), s, bundled, log).writeTo(r);
        }
        if (options.runs("passthrough") || options.runs("per-record") || options.runs("pipeline")
                || options.runs("latency") || options.runs("soak")) {
            streaming(r, bootstrap, base, sample, dim, source, modelOptions, ort);
        }
        log.line("[8/8] memory");
        MemoryWatch.figures().writeTo(r);
        return r;
    }

    /** Stages 3, 4, 5 and 7 and the soak, on the backlog preloaded into {@code images}. */
    private void streaming(Map<String, Object> r, String bootstrap, HardnegConfig base, List<LabeledImage> sample,
                           int dim, ModelSource source, ModelOptions modelOptions, OrtStage.Figures ort)
            throws Exception {
        TopicProvisioner.provisionBundled(base.bootstrapServers(), base.kafkaOverrides());
        try (CommittedCounter counter = new CommittedCounter(bootstrap, 2_000_000)) {
            counter.awaitAssigned(Duration.ofSeconds(60));
            log.line("preloading %,d images into '%s'", options.images(), Topics.IMAGES.name());
            preload(base, sample);
            double cap = 25 * options.seconds();
            StreamingStage timer = new StreamingStage(counter, options.images(), log);
            // The broker's and clients' code is cold until something has streamed through them: the first stage
            // would otherwise measure the JIT. One unmeasured passthrough over part of the backlog warms them.
            log.line("warming the broker and clients (passthrough passes until the JIT is quiet, not measured)");
            timer.warmUntilQuiet(Math.min(12, cap / 2), () -> {
                HardnegConfig warmConfig = options.config().apply(BenchApps.stageFlags(bootstrap, "warm-up",
                        Map.of()));
                return () -> BenchApps.startPassthrough(warmConfig, dim);
            });
            StreamingStages.Figures streams = new StreamingStages(options, bootstrap, timer, log)
                    .run(base, dim, source, modelOptions, ort, cap);
            streams.writeTo(r);
            if (options.runs("latency")) {
                latency(bootstrap, base, sample, counter, timer, streams.pipelineImagesPerSecond(), cap).writeTo(r);
            }
            if (options.runs("soak")) {
                soak(bootstrap, sample, counter, timer, streams.pipelineImagesPerSecond(), cap).writeTo(r);
            }
        }
    }

    private SoakStage.Figures soak(String bootstrap, List<LabeledImage> sample, CommittedCounter counter,
                                   StreamingStage timer, double pipeline, double cap) throws Exception {
        Soak soak = options.soak();
        double rate = soak.rate() > 0 ? soak.rate() : Math.max(1, pipeline / 2);
        log.line("soak: %.1f min at %s, %.0f images/s, a reading every %.0f s", soak.minutes(),
                soak.rate() > 0 ? "the given rate" : "half load", rate, soak.intervalSeconds());
        warmPipelineIfCold(bootstrap, timer, cap);
        HardnegConfig config = options.config().apply(BenchApps.stageFlags(bootstrap, "soak",
                Map.of("kafka.main.consumer.auto.offset.reset", "latest")));
        SoakStage.Figures f = new SoakStage(soak.minutes(), soak.intervalSeconds(), counter, log)
                .run(config, sample, rate);
        if (soak.csv() != null) {
            SoakStage.writeCsv(soak.csv(), f.rows());
            log.line("soak table written to %s", soak.csv());
        }
        return f;
    }

    private boolean pipelineWarm;

    /**
     * The pipeline's own code (decoder, ONNX Runtime's bindings, the Vector API kernel) is cold unless a pipeline
     * stage ran; fed at a fixed rate it would spend its warm-up compiling and never catch up.
     */
    private void warmPipelineIfCold(String bootstrap, StreamingStage timer, double cap) throws Exception {
        if (pipelineWarm || options.runs("pipeline") || options.runs("per-record")) {
            return;
        }
        log.line("warming the pipeline (passes over the backlog until the JIT is quiet, not measured)");
        timer.warmUntilQuiet(Math.min(12, cap / 2), () -> {
            HardnegConfig warmPipe = options.config().apply(BenchApps.stageFlags(bootstrap, "warm-pipeline",
                    Map.of()));
            return () -> BenchApps.Running.of(BenchApps.startService(warmPipe));
        });
        pipelineWarm = true;
    }

    private LatencyStage.Figures latency(String bootstrap, HardnegConfig base, List<LabeledImage> sample,
                                         CommittedCounter counter, StreamingStage timer, double pipeline,
                                         double cap) throws Exception {
        double rate = options.latencyRate() > 0 ? options.latencyRate() : Math.max(1, pipeline / 2);
        log.line("[7/8] latency at %s: %.0f images/s, EOS, commit interval %d ms",
                options.latencyRate() > 0 ? "the given rate" : "half load", rate, base.streams().commitIntervalMs());
        warmPipelineIfCold(bootstrap, timer, cap);
        HardnegConfig latConfig = options.config().apply(BenchApps.stageFlags(bootstrap, "latency",
                Map.of("kafka.main.consumer.auto.offset.reset", "latest")));
        return new LatencyStage(options, counter, log).run(latConfig, sample, rate, 8 * options.seconds());
    }

    private void preload(HardnegConfig config, List<LabeledImage> sample) {
        long t0 = System.nanoTime();
        try (ImageSender sender = new ImageSender(config.bootstrapServers(), Topics.IMAGES.name(), 0, Map.of())) {
            for (int i = 0; i < options.images(); i++) {
                LabeledImage img = sample.get(i % sample.size());
                sender.send(new LabeledImage("r" + i / sample.size() + "-" + img.id(), img.label(), img.bytes()));
            }
            sender.flush();
        }
        log.line("preloaded in %.1f s", (System.nanoTime() - t0) / 1e9);
    }
}
