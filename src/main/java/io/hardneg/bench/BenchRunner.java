package io.hardneg.bench;

import io.hardneg.config.HardnegConfig;
import io.hardneg.data.FashionMnist;
import io.hardneg.data.LabeledImages;
import io.hardneg.eval.SplitEmbedder;
import io.hardneg.image.DecodeLimits;
import io.hardneg.image.ImageDecoder;
import io.hardneg.mining.Distances;
import io.hardneg.mining.EmbeddedImage;
import io.hardneg.mining.MemoryBank;
import io.hardneg.mining.MislabelDetector;
import io.hardneg.model.DeviceRequest;
import io.hardneg.model.EmbeddingModel;
import io.hardneg.model.ModelOptions;
import io.hardneg.model.ModelSource;
import io.hardneg.producer.ImageSender;
import io.hardneg.producer.ImageSource;
import io.hardneg.producer.LabeledImage;
import io.hardneg.service.HardnegService;
import io.hardneg.stream.PipelineObserver;
import io.hardneg.stream.StreamsSettings;
import io.hardneg.stream.Topics;
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
import java.util.function.Function;
import org.apache.kafka.streams.KafkaStreams;

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
     * @param latencyRate  images/s of the latency stage; 0 for half the measured pipeline rate
     * @param latencyWarmup the least seconds the latency stage is fed at its rate before measuring (a soak); 0 for
     *                     no minimum
     * @param latencyCsv   where to write each latency sample ({@code sent_ms,latency_ms}); null for nowhere
     */
    public record Options(int images, int[] batches, Function<Map<String, String>, HardnegConfig> config,
                          double seconds, int[] miningSizes, java.util.Set<String> stages, int repeats,
                          double latencyRate, double latencyWarmup, Path latencyCsv) {

        public Options {
            if (repeats < 1) {
                throw new IllegalArgumentException("repeats must be >= 1, found " + repeats);
            }
            if (!(latencyWarmup >= 0)) {
                throw new IllegalArgumentException("latency warm-up must be >= 0 seconds, found " + latencyWarmup);
            }
            stages = java.util.Set.copyOf(stages);
            for (String st : stages) {
                if (!STAGES.contains(st)) {
                    throw new IllegalArgumentException("unknown bench stage '" + st + "'; stages are "
                            + String.join(", ", STAGES));
                }
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

    /** Every stage, in the order they run. */
    public static final List<String> STAGES = List.of("ort", "decode", "passthrough", "per-record", "pipeline",
            "mining", "latency");

    private static final int ROUNDS = 5;

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
        int threads = modelOptions.effectiveIntraOpThreads(cores);
        try (EmbeddingModel model = EmbeddingModel.load(source, modelOptions)) {
            var info = model.info();
            dim = info.embeddingDim();
            r.put("model", info.name() + " v" + info.version());
            r.put("model_input", info.inputSpec().channels() + "x" + info.inputSpec().height() + "x"
                    + info.inputSpec().width());
            r.put("embedding_dim", dim);
            r.put("device", model.device().name());
            r.put("cores", cores);
            r.put("inference_threads", threads);
            r.put("inference_spin", base.inference().spin());
            if (options.runs("ort")) {
                log.line("[1/8] ORT ceiling of %s (%s → %d) on %s", info.name(), r.get("model_input"), dim,
                        model.device().name());
                Map<Integer, Microbenchmarks.Rate> ceiling =
                        Microbenchmarks.ortCeiling(model, options.batches(), 2.0 * s, log);
                int best = ceiling.entrySet().stream()
                        .max(Comparator.comparingDouble(e -> e.getValue().perSecond())).orElseThrow().getKey();
                Map<String, Object> byBatch = new LinkedHashMap<>();
                ceiling.forEach((b, v) -> byBatch.put(Integer.toString(b), round(v.perSecond())));
                r.put("ort_images_per_s_by_batch", byBatch);
                r.put("ort_best_batch", best);
                r.put("ort_ceiling_images_per_s", round(ceiling.get(best).perSecond()));
                r.put("ort_cpu_us_per_image", round(ceiling.get(best).cpuUsPerItem()));
                if (threads != cores && !model.device().isCuda()) {
                    // With fewer intra-op threads than cores the ceiling above is not the machine's: the same
                    // batch with one thread per core is.
                    log.line("ORT ceiling at batch %d with %d intra-op threads (one per core)", best, cores);
                    try (EmbeddingModel wide = EmbeddingModel.load(source,
                            modelOptions.withDevice(DeviceRequest.cpu()).withIntraOpThreads(cores))) {
                        Microbenchmarks.Rate all = Microbenchmarks.ortCeiling(wide, new int[] {best}, 2.0 * s, log)
                                .get(best);
                        r.put("ort_ceiling_all_cores_images_per_s", round(all.perSecond()));
                        r.put("ort_all_cores_cpu_us_per_image", round(all.cpuUsPerItem()));
                    }
                }
            }
            if (options.runs("decode")) {
                log.line("[2/8] decode of the bundled PNGs into %s", r.get("model_input"));
                ImageDecoder decoder = new ImageDecoder(info.inputSpec(), new DecodeLimits(
                        base.input().maxImageBytes(), base.input().maxPixels()));
                double decode = Microbenchmarks.decode(decoder, pngs, 1.5 * s);
                r.put("decode_images_per_s", round(decode));
                r.put("decode_us_per_image", Math.round(1e7 / decode) / 10.0);
            }
            if (options.runs("mining")) {
                // Embedded as the service embeds them (PNG bytes, decoder, batches), in the sample's order.
                float[] e = new SplitEmbedder(model, 256).embed(head, done -> { });
                List<EmbeddedImage> embedded = new ArrayList<>(sample.size());
                for (int i = 0; i < sample.size(); i++) {
                    embedded.add(new EmbeddedImage(sample.get(i).id(), sample.get(i).label(), info.version(),
                            Arrays.copyOfRange(e, i * dim, (i + 1) * dim), null, i));
                }
                bundled = embedded;
            }
        }
        if (options.runs("mining")) {
            mining(r, base, s, bundled);
        }
        if (!(options.runs("passthrough") || options.runs("per-record") || options.runs("pipeline")
                || options.runs("latency"))) {
            memory(r);
            return r;
        }

        provisionTopics(base);
        try (CommittedCounter counter = new CommittedCounter(bootstrap, 2_000_000)) {
            counter.awaitAssigned(Duration.ofSeconds(60));
            log.line("preloading %,d images into '%s'", options.images(), Topics.IMAGES.name());
            preload(base, sample);
            double cap = 25 * s;
            double passthrough = Double.NaN;
            double perRecord = Double.NaN;
            double pipeline = Double.NaN;

            // The broker's and clients' code is cold until something has streamed through them: the first stage
            // would otherwise measure the JIT. One unmeasured passthrough over part of the backlog warms them.
            log.line("warming the broker and clients (passthrough passes until the JIT is quiet, not measured)");
            warmUntilQuiet(counter, Math.min(12, cap / 2), () -> {
                HardnegConfig warmConfig = options.config().apply(stageFlags(bootstrap, "warm-up", Map.of()));
                return () -> startPassthrough(warmConfig, dim);
            });
            if (options.runs("per-record")) {
                log.line("[4/8] per-record: full pipeline with inference.batch.max=1");
                HardnegConfig perRecordConfig = options.config().apply(stageFlags(bootstrap, "per-record",
                        Map.of("inference.batch.max", "1")));
                StageResult pr = stage("per-record", counter, cap, () -> running(startService(perRecordConfig)));
                perRecord = pr.imagesPerSecond();
                r.put("per_record_images_per_s", round(perRecord));
                r.put("per_record_cpu_us_per_image", round(pr.cpuUsPerImage()));
            }
            // Passthrough and pipeline alternate, each repeat on fresh applications, so that a slow spell of the
            // shared machine or the broker's own warming lands on both sides of the ratio.
            List<Double> passRates = new ArrayList<>();
            List<Double> pipeRates = new ArrayList<>();
            List<Double> ratios = new ArrayList<>();
            List<Double> passCpus = new ArrayList<>();
            List<Double> pipeCpus = new ArrayList<>();
            List<Double> cpuRatios = new ArrayList<>();
            List<Double> besideRates = new ArrayList<>();
            List<Double> besideRatios = new ArrayList<>();
            Map<String, Double> pipeThreads = Map.of();
            Map<String, Double> passWaits = Map.of();
            Map<String, Double> pipeWaits = Map.of();
            Map<String, Double> passRequests = Map.of();
            Map<String, Double> pipeRequests = Map.of();
            double minedShare = Double.NaN;
            double meanBatch = Double.NaN;
            // The ORT ceiling again, at its best batch, right before and right after each pipeline repeat: the
            // first stage ran minutes earlier, and on this shared machine the ceiling moves by a fifth in that time.
            try (OrtBeside beside = options.runs("pipeline") && r.get("ort_best_batch") instanceof Integer best
                    ? new OrtBeside(EmbeddingModel.load(source, modelOptions), best, s, log) : null) {
                for (int rep = 1; rep <= options.repeats(); rep++) {
                    double pass = Double.NaN;
                    double passCpu = Double.NaN;
                    if (options.runs("passthrough")) {
                        log.line("[3/8] passthrough (repeat %d/%d): same topology shape, no decode/inference/"
                                + "mining", rep, options.repeats());
                        HardnegConfig passConfig = options.config().apply(stageFlags(bootstrap, "passthrough",
                                Map.of()));
                        StageResult pt = stage("passthrough", counter, cap, () -> startPassthrough(passConfig, dim));
                        pass = pt.imagesPerSecond();
                        passCpu = pt.cpuUsPerImage();
                        passWaits = pt.streamTime();
                        passRequests = pt.requestsPerImage();
                        passRates.add(pass);
                        passCpus.add(passCpu);
                    }
                    if (options.runs("pipeline")) {
                        log.line("[5/8] pipeline (repeat %d/%d): full pipeline, default configuration (batch.max=%d, "
                                + "linger %d ms)", rep, options.repeats(), base.inference().batchMax(),
                                base.inference().batchLingerMs());
                        HardnegConfig pipeConfig = options.config().apply(stageFlags(bootstrap, "pipeline", Map.of()));
                        MiningTally tally = new MiningTally();
                        double ortBefore = beside == null ? Double.NaN : beside.measure();
                        StageResult pl = stage("pipeline", counter, cap, () -> running(startService(pipeConfig, tally)));
                        minedShare = tally.minedShare();
                        meanBatch = tally.meanBatch();
                        double pipe = pl.imagesPerSecond();
                        if (beside != null) {
                            double ort = (ortBefore + beside.measure()) / 2;
                            besideRates.add(ort);
                            besideRatios.add(pipe / ort);
                            log.line("pipeline / ORT ceiling beside it, repeat %d: %.3f (ORT %,.0f images/s, the mean "
                                    + "of right before and right after)", rep, pipe / ort, ort);
                        }
                        pipeRates.add(pipe);
                        pipeCpus.add(pl.cpuUsPerImage());
                        pipeThreads = pl.coresByThread();
                        pipeWaits = pl.streamTime();
                        pipeRequests = pl.requestsPerImage();
                        if (!Double.isNaN(pass)) {
                            ratios.add(pipe / pass);
                            // What the ratio would be if both stages were CPU-bound on the same cores: the inverse
                            // ratio of their CPU per image, which the neighbours' load moves less than rates.
                            cpuRatios.add(passCpu / pl.cpuUsPerImage());
                            log.line("pipeline / passthrough, repeat %d: %.3f (by CPU per image: %.3f)", rep,
                                    pipe / pass, passCpu / pl.cpuUsPerImage());
                        }
                    }
                }
            }
            if (!passRates.isEmpty()) {
                passthrough = median(passRates);
                r.put("passthrough_images_per_s", round(passthrough));
                r.put("passthrough_cpu_us_per_image", round(median(passCpus)));
                r.put("passthrough_stream_time", rounded(passWaits));
                r.put("passthrough_broker_requests_per_image", passRequests);
            }
            if (!pipeRates.isEmpty()) {
                pipeline = median(pipeRates);
                r.put("pipeline_images_per_s", round(pipeline));
                r.put("pipeline_cpu_us_per_image", round(median(pipeCpus)));
                // Where the cores went in the last pipeline repeat (native threads too: ONNX Runtime's, the JIT's).
                r.put("pipeline_cores_by_thread", pipeThreads);
                // Where the stream thread waited on Kafka in the last pipeline repeat: shares of its wall time
                // blocked in all, flushing its producer, and committing (EOS: it processes nothing meanwhile).
                r.put("pipeline_stream_time", rounded(pipeWaits));
                // The in-process broker's requests per image by type over the same rounds (the bench's own
                // counting consumer's fetches included, as in the passthrough's).
                r.put("pipeline_broker_requests_per_image", pipeRequests);
                // Labeled images mined (not skipped as duplicates) in the last pipeline repeat: near 1 when the
                // stage did the whole work per image (suspected mislabels are routed, not mined).
                r.put("pipeline_mined_share", round3(minedShare));
                // Images per inference batch in the last pipeline repeat, warm-up included: below batch.max when
                // the linger drains partial batches (each partition's task batches on its own).
                r.put("pipeline_mean_batch", round(meanBatch));
                // A ratio is reported only when both of its stages ran; pipeline vs passthrough is the median of
                // the repeats' own ratios.
                if (!ratios.isEmpty()) {
                    r.put("ratio_pipeline_vs_passthrough", round3(median(ratios)));
                    r.put("ratio_pipeline_vs_passthrough_by_repeat", ratios.stream().map(BenchRunner::round3).toList());
                    r.put("ratio_pipeline_vs_passthrough_by_cpu", round3(median(cpuRatios)));
                }
                if (options.runs("per-record")) {
                    r.put("ratio_pipeline_vs_per_record", ratio(pipeline, perRecord));
                }
                if (!besideRatios.isEmpty()) {
                    r.put("ort_ceiling_beside_pipeline_images_per_s", round(median(besideRates)));
                    r.put("ratio_pipeline_vs_ort_beside", round3(median(besideRatios)));
                    r.put("ratio_pipeline_vs_ort_beside_by_repeat",
                            besideRatios.stream().map(BenchRunner::round3).toList());
                }
                if (r.get("ort_ceiling_images_per_s") instanceof Double ceiling) {
                    r.put("ratio_pipeline_vs_ort_ceiling", ratio(pipeline, ceiling));
                    if (!Double.isNaN(passthrough)) {
                        // On CPU inference and Kafka share the same cores: if their costs per image simply add,
                        // no pipeline exceeds 1 / (1/ort + 1/passthrough). The share of that is what is left to win.
                        double additive = 1 / (1 / ceiling + 1 / passthrough);
                        r.put("additive_ceiling_images_per_s", round(additive));
                        r.put("ratio_pipeline_vs_additive_ceiling", ratio(pipeline, additive));
                        // The same by CPU: inference's CPU per image plus Kafka's, against what the pipeline spends.
                        if (r.get("ort_cpu_us_per_image") instanceof Double ortCpu
                                && r.get("passthrough_cpu_us_per_image") instanceof Double passCpu
                                && r.get("pipeline_cpu_us_per_image") instanceof Double pipeCpu) {
                            r.put("additive_cpu_us_per_image", round(ortCpu + passCpu));
                            r.put("ratio_pipeline_vs_additive_by_cpu", ratio(ortCpu + passCpu, pipeCpu));
                        }
                    }
                }
            }
            if (options.runs("latency")) {
                double rate = options.latencyRate() > 0 ? options.latencyRate() : Math.max(1, pipeline / 2);
                log.line("[7/8] latency at %s: %.0f images/s, EOS, commit interval %d ms",
                        options.latencyRate() > 0 ? "the given rate" : "half load", rate,
                        base.streams().commitIntervalMs());
                if (!options.runs("pipeline") && !options.runs("per-record")) {
                    // The pipeline's own code (decoder, ONNX Runtime's bindings, the Vector API kernel) is still
                    // cold; fed at the given rate it would spend the warm-up compiling and never catch up.
                    log.line("warming the pipeline (passes over the backlog until the JIT is quiet, not measured)");
                    warmUntilQuiet(counter, Math.min(12, cap / 2), () -> {
                        HardnegConfig warmPipe = options.config().apply(stageFlags(bootstrap, "warm-pipeline",
                                Map.of()));
                        return () -> running(startService(warmPipe));
                    });
                }
                HardnegConfig latConfig = options.config().apply(stageFlags(bootstrap, "latency",
                        Map.of("kafka.main.consumer.auto.offset.reset", "latest")));
                LatencyRun run = latency(latConfig, counter, sample, rate, 8 * s);
                long[] lat = run.samples().sorted();
                r.put("e2e_rate_images_per_s", round(rate));
                // false: the service never kept up with the rate, so the figures include a growing backlog.
                r.put("e2e_caught_up", run.caughtUp());
                r.put("e2e_warmup_s", round(run.warmupSeconds()));
                // The JIT's share of the measured window (0 once warm), and where the cores went: a stall with the
                // compilers or the GC's concurrent threads busy is the machine's two cores taken, not a wait.
                r.put("e2e_jit_cores", round3(run.jitCores()));
                r.put("e2e_gc_cores", round3(run.gcCores()));
                r.put("e2e_cores_by_thread", run.coresByThread());
                r.put("e2e_samples", lat.length);
                r.put("e2e_p50_ms", Stats.percentile(lat, 50));
                r.put("e2e_p90_ms", Stats.percentile(lat, 90));
                r.put("e2e_p99_ms", Stats.percentile(lat, 99));
                r.put("e2e_max_ms", lat.length == 0 ? Double.NaN : lat[lat.length - 1]);
                // A tail from one or two stalls (every record of a quarter second waits) reads differently from a
                // steady spread: the worst window's median says which.
                r.put("e2e_worst_250ms_window_p50_ms", run.samples().worstWindowMedian(250));
                // The inputs' own share: how long the bench's producer held a record at worst, and how long the
                // broker took to acknowledge one. When both are small next to a stall, the stall came later.
                r.put("e2e_input_queue_time_max_ms", round(run.inputQueueMaxMs()));
                r.put("e2e_input_request_latency_max_ms", round(run.inputRequestMaxMs()));
                // The stream's own side: sends its producer had to retry while measuring (each waits out a
                // back-off with the transaction open), its slowest commit and its slowest request to the broker.
                r.put("e2e_stream_send_retries", run.streamRetries());
                r.put("e2e_stream_commit_max_ms", round(run.streamWaits().get(StreamWaits.COMMIT_MAX)));
                r.put("e2e_stream_request_max_ms", round(run.streamWaits().get(StreamWaits.REQUEST_MAX)));
                // A batch is embedded and mined inside one process() (full) or one punctuation (linger): a stall
                // of the stream thread's own shows here.
                r.put("e2e_stream_process_max_ms", round(run.streamWaits().get(StreamWaits.PROCESS_MAX)));
                r.put("e2e_stream_punctuate_max_ms", round(run.streamWaits().get(StreamWaits.PUNCTUATE_MAX)));
                if (options.latencyCsv() != null) {
                    writeCsv(options.latencyCsv(), run.samples());
                    log.line("latency samples written to %s", options.latencyCsv());
                }
                r.put("commit_interval_ms", base.streams().commitIntervalMs());
            }
        }
        memory(r);
        return r;
    }

    private void mining(Map<String, Object> r, HardnegConfig base, double s, List<EmbeddedImage> bundled)
            throws Exception {
        log.line("[6/8] mining: anchors/s, D = 64, batches of %d", base.inference().batchMax());
        Distances kernel = Distances.create();
        r.put("mining_kernel", kernel.name());
        HardnegConfig.Mining.Suspect sc = base.mining().suspect();
        // The stream's suspect rule, when on: the stage then also times mining with suspect detection both ways.
        MislabelDetector.Rules suspectRules = sc.enabled() ? new MislabelDetector.Rules(sc.tau(), sc.k(),
                sc.agreement(), sc.minPositives()) : null;
        for (int size : options.miningSizes()) {
            var m = Microbenchmarks.mining(size, 64, base.inference().batchMax(), kernel, suspectRules, 2.0 * s);
            String key = size >= 1000 && size % 1000 == 0 ? (size / 1000) + "k" : Integer.toString(size);
            r.put("mining_anchors_per_s_" + key, round(m.anchorsPerSecond()));
            r.put("mining_triplets_per_anchor_" + key, Math.round(m.tripletsPerAnchor() * 100) / 100.0);
            r.put("mining_first_batch_ms_" + key, round(m.firstBatchMs()));
            log.line("mining bank %,7d: %,9.0f anchors/s (%s)", size, m.anchorsPerSecond(), kernel.name());
            if (suspectRules != null) {
                r.put("mining_with_suspects_anchors_per_s_" + key, round(m.withSuspectsPerSecond()));
                r.put("mining_then_suspects_anchors_per_s_" + key, round(m.thenSuspectsPerSecond()));
                r.put("ratio_mining_one_pass_vs_two_" + key, ratio(m.withSuspectsPerSecond(),
                        m.thenSuspectsPerSecond()));
                log.line("mining bank %,7d with suspect detection: %,9.0f anchors/s in one pass, %,9.0f with a scan "
                        + "of its own", size, m.withSuspectsPerSecond(), m.thenSuspectsPerSecond());
            }
        }
        if (suspectRules != null && bundled.size() >= 4 * base.inference().batchMax()) {
            // The stream's own case: the model's embeddings of the bundled images, the configured bank.
            var b = Microbenchmarks.miningBundled(bundled, base.bank().perLabel(), base.bank().max(),
                    base.inference().batchMax(), kernel, suspectRules, 2.0 * s);
            r.put("mining_bundled_bank_rows", b.bankRows());
            r.put("mining_bundled_anchors_per_s", round(b.onePassPerSecond()));
            r.put("mining_bundled_us_per_anchor", round(1e6 / b.onePassPerSecond()));
            r.put("mining_bundled_then_suspects_anchors_per_s", round(b.twoScansPerSecond()));
            r.put("mining_bundled_triplets_per_anchor", Math.round(b.tripletsPerAnchor() * 100) / 100.0);
            log.line("mining the bundled images' embeddings against a bank of %,d: %,9.0f anchors/s (%.1f µs each) "
                    + "with suspect detection in one pass, %,9.0f with a scan of its own", b.bankRows(),
                    b.onePassPerSecond(), 1e6 / b.onePassPerSecond(), b.twoScansPerSecond());
        }
    }

    private void memory(Map<String, Object> r) {
        log.line("[8/8] memory");
        r.put("peak_heap_mb", round(MemoryWatch.peakHeapMb()));
        r.put("peak_rss_mb", round(MemoryWatch.peakRssMb()));
        r.put("max_heap_mb", round(Runtime.getRuntime().maxMemory() / 1048576.0));
    }

    private Map<String, String> stageFlags(String bootstrap, String stage, Map<String, String> extra) {
        Map<String, String> m = new LinkedHashMap<>(extra);
        m.put("bootstrap.servers", bootstrap);
        m.put("application.id", "hardneg-bench-" + stage + "-" + System.nanoTime());
        return m;
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

    /** Starts a stage's application. */
    @FunctionalInterface
    private interface Starter {
        Running start() throws Exception;
    }

    /** A started application: its Kafka Streams (for its clients' metrics), and what stops it. */
    private record Running(KafkaStreams streams, AutoCloseable stop) implements AutoCloseable {
        @Override
        public void close() throws Exception {
            stop.close();
        }
    }

    private static Map<String, Double> rounded(Map<String, Double> shares) {
        Map<String, Double> m = new java.util.LinkedHashMap<>();
        shares.forEach((k, v) -> m.put(k, round3(v)));
        return m;
    }

    private static Running running(HardnegService service) {
        return new Running(service.streams(), service);
    }

    /**
     * A streaming stage's median rate and the process's median CPU per image over the same rounds, the cores each
     * thread used, where the stream threads waited on Kafka ({@link StreamTime#shares}) and the broker's requests
     * per image over them.
     */
    record StageResult(double imagesPerSecond, double cpuUsPerImage, Map<String, Double> coresByThread,
                       Map<String, Double> streamTime, Map<String, Double> requestsPerImage) {
    }

    /**
     * Starts an application on the preloaded backlog; after a warm-up (a tenth of the images, at least a second),
     * measures {@value #ROUNDS} rounds sized to end before the backlog does, and returns their median rate, CPU per
     * image and the cores each thread used over the rounds.
     */
    private StageResult stage(String name, CommittedCounter counter, double capSeconds, Starter starter)
            throws Exception {
        Thread.sleep(300); // let the previous stage's last commit arrive before taking the baseline
        long base = counter.count();
        int n = options.images();
        try (Running app = starter.start()) {
            long t0 = System.nanoTime();
            long c = 0;
            double elapsed = 0;
            double first = -1;
            // Counts at each poll of the last second, to take the warm rate from steady output, not from start-up.
            java.util.ArrayDeque<double[]> recent = new java.util.ArrayDeque<>();
            // Warm-up: until the first committed output, then at least 2 s of output (caches, the batch buffer's
            // steady state) and a fifth of the backlog, and until the JIT is quiet (or 40% of the backlog is
            // gone); at most half the stage's time.
            JitWatch jit = new JitWatch(2.0);
            while (c < n) {
                Thread.sleep(20);
                c = counter.count() - base;
                elapsed = (System.nanoTime() - t0) / 1e9;
                jit.sample(elapsed);
                recent.addLast(new double[] {elapsed, c});
                while (recent.peekFirst()[0] < elapsed - 1.0) {
                    recent.removeFirst();
                }
                if (c == 0) {
                    if (elapsed > 120) {
                        break;
                    }
                    continue;
                }
                if (first < 0) {
                    first = elapsed;
                }
                // A fast stage (passthrough: 30–40k images/s) would spend most of the backlog on 2 s of warm-up
                // and have no full rounds left, so 30% of the backlog also counts as warm, and a busy JIT is
                // waited for only up to 40%.
                boolean longEnough = elapsed - first >= Math.min(2, capSeconds / 4) || c >= 3L * n / 10;
                if ((longEnough && c >= n / 5 && (jit.quiet() || c >= 2L * n / 5)) || elapsed >= capSeconds / 2) {
                    break;
                }
            }
            double[] oldest = recent.peekFirst();
            double warmRate = elapsed - oldest[0] > 0.2 ? Math.max(1, (c - oldest[1]) / (elapsed - oldest[0]))
                    : Math.max(1, c / elapsed);
            double left = capSeconds - elapsed;
            // Rounds share what is left of the backlog (and of the stage's time); never under a quarter second,
            // where the 20 ms polls would be a tenth of a round.
            double roundSec = Math.max(0.25, Math.min(0.8 * (n - c) / warmRate / ROUNDS, left / ROUNDS));
            // A slow stage (the heavy model's) reaches its time cap before C2 has compiled Kafka's
            // per-record paths; its figures then include the compilers, so say how to give it longer.
            boolean capped = !jit.quiet() && elapsed >= capSeconds / 2;
            log.line("%s: warm-up %.1f s, %,d images, JIT %s; %d rounds of %.1f s", name, elapsed, c,
                    jit.quiet() ? "quiet" : capped ? "still compiling at the warm-up's time cap (--time-scale 2 "
                            + "and a larger --images give it longer)" : "still compiling", ROUNDS, roundSec);
            List<Double> rates = new ArrayList<>();
            List<Double> cpus = new ArrayList<>();
            double lastPartial = Double.NaN;
            ThreadCpu.Snapshot threads0 = ThreadCpu.snapshot();
            StreamTime.Totals waits0 = StreamTime.read(app.streams().metrics());
            Map<String, Long> requests0 = BrokerRequests.counts();
            long images0 = counter.count();
            long roundsStart = System.nanoTime();
            for (int i = 0; i < ROUNDS && c < n; i++) {
                long r0 = System.nanoTime();
                long cpu0 = CpuClock.processNanos();
                long c0 = counter.count() - base;
                long r1;
                do {
                    Thread.sleep(20);
                    c = counter.count() - base;
                    r1 = System.nanoTime();
                } while ((r1 - r0) / 1e9 < roundSec && c < n);
                double rate = (c - c0) / ((r1 - r0) / 1e9);
                double cpu = CpuClock.usPerItem(cpu0, CpuClock.processNanos(), c - c0);
                if (c < n) {
                    rates.add(rate);
                    cpus.add(cpu);
                    log.line("%s round %d: %,9.0f images/s, %6.1f µs CPU/image (%,d/%,d)", name, i + 1, rate, cpu,
                            c, n);
                } else {
                    lastPartial = rate;
                }
            }
            double median = rates.isEmpty() ? (Double.isNaN(lastPartial) ? warmRate : lastPartial)
                    : Stats.median(rates.stream().mapToDouble(Double::doubleValue).toArray());
            double cpuMedian = cpus.isEmpty() ? Double.NaN : median(cpus);
            // Without a full round the window is a few milliseconds: 10 ms ticks over it would read as cores.
            double window = (System.nanoTime() - roundsStart) / 1e9;
            Map<String, Double> byThread = rates.isEmpty() ? Map.of() : ThreadCpu.coresByName(threads0,
                    ThreadCpu.snapshot(), window, ThreadCpu.USER_HZ, 6);
            Map<String, Double> waits = rates.isEmpty() ? Map.of()
                    : StreamTime.shares(waits0, StreamTime.read(app.streams().metrics()), window);
            Map<String, Double> requests = rates.isEmpty() ? Map.of()
                    : BrokerRequests.perImage(requests0, BrokerRequests.counts(), counter.count() - images0, 6);
            log.line("%s: cores by thread %s", name, byThread);
            log.line("%s: stream threads' time blocked on Kafka %s; broker requests per image %s", name, waits,
                    requests);
            log.line("%s: median %,.0f images/s, %.1f µs CPU/image over %d rounds", name, median, cpuMedian,
                    rates.size());
            return new StageResult(median, cpuMedian, byThread, waits, requests);
        }
    }

    /**
     * Runs fresh applications over the backlog, pass after pass, until the JIT is quiet or {@code seconds} have
     * passed. A small backlog (the heavy model's) goes through one passthrough in half a second, too short for C2
     * to compile Kafka's paths; the slow stages after it then measured the compilers.
     */
    private void warmUntilQuiet(CommittedCounter counter, double seconds,
                                java.util.concurrent.Callable<Starter> fresh) throws Exception {
        long t0 = System.nanoTime();
        JitWatch jit = new JitWatch(2.0);
        jit.sample(0);
        int passes = 0;
        double elapsed = 0;
        do {
            warm(counter, seconds - elapsed, fresh.call());
            passes++;
            elapsed = (System.nanoTime() - t0) / 1e9;
            jit.sample(elapsed);
        } while (elapsed < seconds && !jit.quiet());
        log.line("warm-up: %d pass%s in %.1f s, JIT %s", passes, passes == 1 ? "" : "es", elapsed,
                jit.quiet() ? "quiet" : "still compiling");
    }

    /** Runs an application over the backlog for up to {@code seconds} (or until it is through), measuring nothing. */
    private void warm(CommittedCounter counter, double seconds, Starter starter) throws Exception {
        long base = counter.count();
        try (Running app = starter.start()) {
            long deadline = System.nanoTime() + (long) (seconds * 1e9);
            while (System.nanoTime() < deadline && counter.count() - base < options.images()) {
                Thread.sleep(50);
            }
        }
    }

    private HardnegService startService(HardnegConfig config) throws Exception {
        return startService(config, PipelineObserver.NONE);
    }

    private HardnegService startService(HardnegConfig config, PipelineObserver observer) throws Exception {
        HardnegService service = HardnegService.start(config, observer);
        if (!service.awaitRunning(Duration.ofMinutes(2))) {
            service.close();
            throw new IllegalStateException("the service did not reach RUNNING");
        }
        return service;
    }

    private Running startPassthrough(HardnegConfig config, int dim) throws Exception {
        Path state = Files.createTempDirectory("hardneg-bench-streams-");
        MemoryBank bank = new MemoryBank(dim, config.bank().perLabel(), config.bank().max(), config.bank().imagesMaxBytes());
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
        return new Running(streams, () -> {
            streams.close(Duration.ofSeconds(30));
            deleteQuietly(state);
        });
    }

    /** The latency samples, and whether the service had caught up with the rate before they were taken. */
    private record LatencyRun(CommittedCounter.Samples samples, boolean caughtUp, double warmupSeconds,
                              double jitCores, double gcCores, Map<String, Double> coresByThread,
                              double inputQueueMaxMs, double inputRequestMaxMs, double streamRetries,
                              Map<String, Double> streamWaits) {
    }

    private static void writeCsv(Path file, CommittedCounter.Samples samples) throws java.io.IOException {
        StringBuilder b = new StringBuilder("sent_ms,latency_ms\n");
        for (int i = 0; i < samples.latencyMs().length; i++) {
            b.append(samples.sentAtMs()[i]).append(',').append(samples.latencyMs()[i]).append('\n');
        }
        Files.writeString(file, b);
    }

    /** End-to-end latencies of images sent at {@code rate} for {@code seconds} after a warm-up. */
    private LatencyRun latency(HardnegConfig config, CommittedCounter counter, List<LabeledImage> sample, double rate,
                           double seconds) throws Exception {
        try (HardnegService app = startService(config);
             ImageSender sender = new ImageSender(config.bootstrapServers(), Topics.IMAGES.name(), rate, Map.of())) {
            Thread.sleep(1000); // the "latest" offsets are fixed once the first fetch runs
            // Warm-up at the target rate until the fresh service has caught up with its input (committed outputs
            // within 0.3 s of what was sent) for at least 3 s, and the JIT is quiet: measuring from its start-up
            // backlog would report the start-up, and measuring while C2 still compiles the code this load takes
            // (the broker's transactional produce path, first of all) reports the JIT's stalls, not the steady
            // state. Capped, so an overloaded machine still yields figures.
            long base0 = counter.count();
            long t0 = System.nanoTime();
            int i = 0;
            double caughtUpSince = -1;
            JitWatch jit = new JitWatch(2.0);
            double lastJitReading = -1;
            while (true) {
                double elapsed = (System.nanoTime() - t0) / 1e9;
                boolean caughtUp = counter.count() - base0 >= i - rate * 0.3;
                caughtUpSince = caughtUp ? (caughtUpSince < 0 ? elapsed : caughtUpSince) : -1;
                if (elapsed - lastJitReading >= 0.1) {
                    jit.sample(elapsed);
                    lastJitReading = elapsed;
                }
                boolean steady = caughtUpSince >= 0 && elapsed - caughtUpSince >= Math.min(3, 3 * seconds);
                boolean waitedForJit = elapsed > Math.max(3, 5 * seconds);
                double soak = options.latencyWarmup();
                boolean soaked = elapsed >= soak;
                if ((steady && soaked && (jit.quiet() || waitedForJit || soak > 0))
                        || (caughtUpSince < 0 && elapsed > 30 + soak) || elapsed > 60 + soak) {
                    break;
                }
                LabeledImage img = sample.get(i % sample.size());
                sender.send(new LabeledImage("lat" + i + "-" + img.id(), img.label(), img.bytes()));
                i++;
            }
            double warmup = (System.nanoTime() - t0) / 1e9;
            log.line("latency: warm-up %.1f s, %,d images%s%s", warmup, i,
                    caughtUpSince >= 0 ? "" : " (not caught up: figures include a backlog)",
                    jit.quiet() ? "" : " (the JIT still compiling)");
            counter.recordLatencyFrom(System.currentTimeMillis());
            long jit0 = JitWatch.totalCompileMillis();
            ThreadCpu.Snapshot threads0 = ThreadCpu.snapshot();
            long w0 = System.nanoTime();
            double retriesBefore = StreamWaits.read(app.streams().metrics()).get(StreamWaits.RETRIES);
            int total = i + (int) Math.max(10, rate * seconds);
            for (; i < total; i++) {
                LabeledImage img = sample.get(i % sample.size());
                sender.send(new LabeledImage("lat" + i + "-" + img.id(), img.label(), img.bytes()));
            }
            sender.flush();
            double inputQueueMax = StreamWaits.max(sender.metrics(), StreamWaits.PRODUCER, StreamWaits.QUEUE_MAX);
            double inputRequestMax = StreamWaits.max(sender.metrics(), StreamWaits.PRODUCER, StreamWaits.REQUEST_MAX);
            long base = counter.count();
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            long before;
            do {
                before = counter.count();
                Thread.sleep(300);
            } while (counter.count() > before && System.nanoTime() < deadline);
            log.line("latency: %,d images sent, %,d committed after the last send", total, counter.count() - base);
            double window = (System.nanoTime() - w0) / 1e9;
            double jitCores = JitWatch.cores(jit0, JitWatch.totalCompileMillis(), window);
            ThreadCpu.Snapshot threads1 = ThreadCpu.snapshot();
            Map<String, Double> byThread = ThreadCpu.coresByName(threads0, threads1, window, ThreadCpu.USER_HZ, 8);
            double gcCores = ThreadCpu.cores(threads0, threads1, window, ThreadCpu.USER_HZ, ThreadCpu::isGcThread);
            log.line("latency: cores by thread %s", byThread);
            Map<String, Double> streamWaits = StreamWaits.read(app.streams().metrics());
            return new LatencyRun(counter.samples(), caughtUpSince >= 0, warmup, jitCores, gcCores, byThread,
                    inputQueueMax, inputRequestMax, streamWaits.get(StreamWaits.RETRIES) - retriesBefore, streamWaits);
        }
    }

    private static void provisionTopics(HardnegConfig config) {
        Map<String, Object> props = new java.util.HashMap<>(config.kafkaOverrides());
        props.put(org.apache.kafka.clients.admin.AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        try (var admin = org.apache.kafka.clients.admin.Admin.create(props)) {
            new io.hardneg.topics.TopicProvisioner(admin, config.bootstrapServers(),
                    io.hardneg.topics.TopicProvisioner.DEFAULT_TIMEOUT).apply(io.hardneg.topics.TopicFiles.loadBundled());
        }
    }

    private static double median(List<Double> values) {
        return Stats.median(values.stream().mapToDouble(Double::doubleValue).toArray());
    }

    private static double round(double v) {
        return Double.isNaN(v) ? v : Math.round(v * 10) / 10.0;
    }

    private static double round3(double v) {
        return Double.isNaN(v) ? v : Math.round(v * 1000) / 1000.0;
    }

    private static double ratio(double a, double b) {
        return b > 0 && !Double.isNaN(a) ? Math.round(a / b * 1000) / 1000.0 : Double.NaN;
    }

    private static void deleteQuietly(Path dir) {
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // temp files only
        }
    }
}
