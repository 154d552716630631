package io.hardneg.bench;

import static io.hardneg.bench.Stats.median;
import static io.hardneg.bench.Stats.ratio;
import static io.hardneg.bench.Stats.round;
import static io.hardneg.bench.Stats.round3;

import io.hardneg.config.HardnegConfig;
import io.hardneg.model.EmbeddingModel;
import io.hardneg.model.ModelOptions;
import io.hardneg.model.ModelSource;
import io.hardneg.stream.Topics;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import org.apache.kafka.streams.StreamsConfig;

/**
 * Stages 3–5: per-record once, then passthrough and pipeline alternating, each repeat on fresh applications, so
 * that a slow spell of the shared machine or the broker's own warming lands on both sides of the ratio.
 */
final class StreamingStages {

    /** One stage's repeats, in order: their rates and the last repeat's readings are read from them. */
    record Repeats(List<StreamingStage.Result> all) {

        Repeats() {
            this(List.of());
        }

        Repeats with(StreamingStage.Result r) {
            List<StreamingStage.Result> next = new ArrayList<>(all);
            next.add(r);
            return new Repeats(List.copyOf(next));
        }

        boolean ran() {
            return !all.isEmpty();
        }

        List<Double> rates() {
            return all.stream().map(StreamingStage.Result::imagesPerSecond).toList();
        }

        StreamingStage.Result last() {
            return all.get(all.size() - 1);
        }

        /**
         * CPU per image over every repeat's rounds together (each repeat weighed by its images); NaN without a full
         * round. Not a median over repeats: the split by stage is pooled the same way, so the two agree.
         */
        double cpuUsPerImage() {
            return pooled(all, StreamingStage.Result::cpuUsPerImage);
        }

        /** The split by stage over every repeat's rounds together, part by part as {@link #cpuUsPerImage}. */
        Map<String, Double> cpuByStage() {
            Map<String, Double> out = new LinkedHashMap<>();
            List<StreamingStage.Result> split = all.stream().filter(r -> !r.cpuByStage().isEmpty()).toList();
            if (!split.isEmpty()) {
                split.get(0).cpuByStage().keySet().forEach(part -> out.put(part,
                        round(pooled(split, r -> r.cpuByStage().getOrDefault(part, Double.NaN)))));
            }
            return out;
        }

        private static double pooled(List<StreamingStage.Result> results,
                                     ToDoubleFunction<StreamingStage.Result> perImage) {
            double cpu = 0;
            long images = 0;
            for (StreamingStage.Result r : results) {
                double v = perImage.applyAsDouble(r);
                if (r.imagesOverRounds() > 0 && !Double.isNaN(v)) {
                    cpu += v * r.imagesOverRounds();
                    images += r.imagesOverRounds();
                }
            }
            return images == 0 ? Double.NaN : cpu / images;
        }
    }

    /**
     * Stages 3–5's figures.
     *
     * @param perRecord    null when per-record did not run
     * @param ratios       pipeline / passthrough of each repeat; {@code cpuRatios} the same by CPU per image
     * @param besideRates  the ORT ceiling right beside each pipeline repeat; {@code besideRatios} pipeline / that
     * @param ort          stage 1's figures, for the ratios to its ceiling; null when it did not run
     */
    record Figures(StreamingStage.Result perRecord, Repeats passthrough, Repeats pipeline, double minedShare,
                   double tripletsPerLabeled, double meanBatch, List<Double> ratios, List<Double> cpuRatios, List<Double> besideRates,
                   List<Double> besideRatios, OrtStage.Figures ort) implements BenchFigures {

        /** The pipeline's median rate; NaN when it did not run. */
        double pipelineImagesPerSecond() {
            return pipeline.ran() ? median(pipeline.rates()) : Double.NaN;
        }

        @Override
        public void writeTo(Map<String, Object> json) {
            if (perRecord != null) {
                json.put("per_record_images_per_s", round(perRecord.imagesPerSecond()));
                json.put("per_record_cpu_us_per_image", round(perRecord.cpuUsPerImage()));
            }
            if (passthrough.ran()) {
                json.put("passthrough_images_per_s", round(median(passthrough.rates())));
                json.put("passthrough_cpu_us_per_image", round(passthrough.cpuUsPerImage()));
                json.put("passthrough_stream_time", round3(passthrough.last().streamTime()));
                json.put("passthrough_broker_requests_per_image", passthrough.last().requestsPerImage());
            }
            if (pipeline.ran()) {
                writePipeline(json);
            }
        }

        private void writePipeline(Map<String, Object> json) {
            double rate = pipelineImagesPerSecond();
            json.put("pipeline_images_per_s", round(rate));
            json.put("pipeline_cpu_us_per_image", round(pipeline.cpuUsPerImage()));
            // Where the CPU per image went, part by part of the processor; the rest is Kafka's and the JVM's
            // (CpuByStage). Over every repeat's rounds, like pipeline_cpu_us_per_image, which its parts add up to.
            json.put("pipeline_cpu_us_by_stage", pipeline.cpuByStage());
            json.put("pipeline_last_repeat_cpu_us_per_image", round(pipeline.last().cpuUsPerImage()));
            // Where the cores went in the last pipeline repeat (native threads too: ONNX Runtime's, the JIT's).
            json.put("pipeline_cores_by_thread", pipeline.last().coresByThread());
            // All of them together, the process's CPU over the rounds' wall time: the cores the saturated
            // pipeline kept busy, and the stream threads it ran with (streams.threads resolved).
            json.put("pipeline_cores_busy", round3(pipeline.last().coresBusy()));
            json.put("pipeline_stream_threads", pipeline.last().streamThreads());
            // The instances (--instances) of the one application, and with several each one's share of the records
            // processed over the rounds: a share near 0 means the group did not split the partitions between them.
            json.put("pipeline_instances", pipeline.last().instances());
            if (pipeline.last().instances() > 1) {
                json.put("pipeline_share_by_instance", pipeline.last().shareByInstance().stream().map(Stats::round3)
                        .toList());
            }
            // Where the stream thread waited on Kafka in the last pipeline repeat: shares of its wall time
            // blocked in all, flushing its producer, and committing (EOS: it processes nothing meanwhile).
            json.put("pipeline_stream_time", round3(pipeline.last().streamTime()));
            // The in-process broker's requests per image by type over the same rounds (the bench's own
            // counting consumer's fetches included, as in the passthrough's).
            json.put("pipeline_broker_requests_per_image", pipeline.last().requestsPerImage());
            // Labeled images mined (not skipped as duplicates) in the last pipeline repeat: near 1 when the
            // stage did the whole work per image (suspected mislabels are routed, not mined).
            json.put("pipeline_mined_share", round3(minedShare));
            // Triplets (or pairs) published per labeled image accepted in the last pipeline repeat: mining's
            // yield, which falls when batches are mined against a bank that does not yet hold their images.
            json.put("pipeline_triplets_per_labeled_image", round3(tripletsPerLabeled));
            // Images per inference batch in the last pipeline repeat, warm-up included: below batch.max when
            // the linger drains partial batches (each partition's task batches on its own).
            json.put("pipeline_mean_batch", round(meanBatch));
            // A ratio is reported only when both of its stages ran; pipeline vs passthrough is the median of
            // the repeats' own ratios.
            if (!ratios.isEmpty()) {
                json.put("ratio_pipeline_vs_passthrough", round3(median(ratios)));
                json.put("ratio_pipeline_vs_passthrough_by_repeat", ratios.stream().map(Stats::round3).toList());
                json.put("ratio_pipeline_vs_passthrough_by_cpu", round3(median(cpuRatios)));
            }
            if (perRecord != null) {
                json.put("ratio_pipeline_vs_per_record", ratio(rate, perRecord.imagesPerSecond()));
            }
            if (!besideRatios.isEmpty()) {
                json.put("ort_ceiling_beside_pipeline_images_per_s", round(median(besideRates)));
                json.put("ratio_pipeline_vs_ort_beside", round3(median(besideRatios)));
                json.put("ratio_pipeline_vs_ort_beside_by_repeat", besideRatios.stream().map(Stats::round3).toList());
            }
            if (ort != null) {
                writeAdditive(json, rate);
            }
        }

        private void writeAdditive(Map<String, Object> json, double pipelineRate) {
            double ceiling = ort.ceilingImagesPerSecond();
            json.put("ratio_pipeline_vs_ort_ceiling", ratio(pipelineRate, ceiling));
            if (!passthrough.ran()) {
                return;
            }
            // On CPU inference and Kafka share the same cores: if their costs per image simply add,
            // no pipeline exceeds 1 / (1/ort + 1/passthrough). The share of that is what is left to win.
            double additive = 1 / (1 / ceiling + 1 / median(passthrough.rates()));
            json.put("additive_ceiling_images_per_s", round(additive));
            json.put("ratio_pipeline_vs_additive_ceiling", ratio(pipelineRate, additive));
            // The same by CPU: inference's CPU per image plus Kafka's, against what the pipeline spends (the
            // figures as reported, rounded).
            double ortCpu = ort.cpuUsPerImage();
            double passCpu = round(passthrough.cpuUsPerImage());
            double pipeCpu = round(pipeline.cpuUsPerImage());
            json.put("additive_cpu_us_per_image", round(ortCpu + passCpu));
            json.put("ratio_pipeline_vs_additive_by_cpu", ratio(ortCpu + passCpu, pipeCpu));
        }
    }

    private final BenchRunner.Options options;
    private final String bootstrap;
    private final StreamingStage timer;
    private final BenchLog log;

    StreamingStages(BenchRunner.Options options, String bootstrap, StreamingStage timer, BenchLog log) {
        this.options = options;
        this.bootstrap = bootstrap;
        this.timer = timer;
        this.log = log;
    }

    private HardnegConfig config(String stage, Map<String, String> extra) {
        return options.config().apply(BenchApps.stageFlags(bootstrap, stage, extra));
    }

    /** What the repeats have gathered so far. */
    private static final class Gathered {
        Repeats pass = new Repeats();
        Repeats pipe = new Repeats();
        final List<Double> ratios = new ArrayList<>();
        final List<Double> cpuRatios = new ArrayList<>();
        final List<Double> besideRates = new ArrayList<>();
        final List<Double> besideRatios = new ArrayList<>();
        MiningTally tally;
    }

    /**
     * Runs the streaming stages asked for; {@code ort} (null when stage 1 did not run) gives the batch at which the
     * ORT ceiling is measured again beside each pipeline repeat.
     */
    Figures run(HardnegConfig base, int dim, ModelSource source, ModelOptions modelOptions, OrtStage.Figures ort,
                double cap) throws Exception {
        StreamingStage.Result perRecord = null;
        if (options.runs("per-record")) {
            log.line("[4/8] per-record: full pipeline with inference.batch.max=1");
            HardnegConfig perRecordConfig = config("per-record", Map.of("inference.batch.max", "1"));
            perRecord = timer.measure("per-record", cap,
                    () -> BenchApps.Running.of(BenchApps.startService(perRecordConfig)));
        }
        Gathered g = new Gathered();
        // The ORT ceiling again, at its best batch, right before and right after each pipeline repeat: the
        // first stage ran minutes earlier, and on this shared machine the ceiling moves by a fifth in that time.
        try (OrtBeside beside = options.runs("pipeline") && ort != null
                ? new OrtBeside(EmbeddingModel.load(source, modelOptions), ort.bestBatch(), options.seconds(), log)
                : null) {
            for (int rep = 1; rep <= options.repeats(); rep++) {
                StreamingStage.Result pt = null;
                if (options.runs("passthrough")) {
                    log.line("[3/8] passthrough (repeat %d/%d): same topology shape, no decode/inference/"
                            + "mining", rep, options.repeats());
                    HardnegConfig passConfig = config("passthrough", Map.of());
                    pt = timer.measure("passthrough", cap, () -> BenchApps.startPassthrough(passConfig, dim));
                    g.pass = g.pass.with(pt);
                }
                if (options.runs("pipeline")) {
                    pipelineRepeat(rep, base, cap, beside, pt, g);
                }
            }
        }
        return new Figures(perRecord, g.pass, g.pipe, g.tally == null ? Double.NaN : g.tally.minedShare(),
                g.tally == null ? Double.NaN : g.tally.tripletsPerLabeled(),
                g.tally == null ? Double.NaN : g.tally.meanBatch(), g.ratios, g.cpuRatios, g.besideRates,
                g.besideRatios, ort);
    }

    /** One pipeline repeat, and its ratios to the passthrough of the same repeat and the ORT ceiling beside it. */
    private void pipelineRepeat(int rep, HardnegConfig base, double cap, OrtBeside beside, StreamingStage.Result pt,
                                Gathered g) throws Exception {
        log.line("[5/8] pipeline (repeat %d/%d): full pipeline, default configuration (batch.max=%d, "
                + "linger %d ms)", rep, options.repeats(), base.inference().batchMax(),
                base.inference().batchLingerMs());
        int n = options.instances();
        // Instances start a moment apart: without this lag, the late one idles (BenchApps.startServices says why).
        HardnegConfig pipeConfig = config("pipeline", n > 1
                ? Map.of("kafka." + StreamsConfig.ACCEPTABLE_RECOVERY_LAG_CONFIG, Long.toString(Long.MAX_VALUE))
                : Map.of());
        MiningTally tally = new MiningTally();
        g.tally = tally;
        double ortBefore = beside == null ? Double.NaN : beside.measure();
        // Both thread-safe: the tally counts in adders, the timer sums each thread's own CPU clock.
        ThreadCpuStageTimer parts = new ThreadCpuStageTimer();
        BenchApps.Starter starter = () -> BenchApps.Running.of(BenchApps.startService(pipeConfig, tally, parts));
        if (n > 1) {
            log.line("pipeline: %d instances against one broker (one application id: they split the partitions of "
                    + "'%s')", n, Topics.IMAGES.name());
            starter = () -> BenchApps.Running.ofAll(BenchApps.startServices(pipeConfig, n, tally, parts, log));
        }
        StreamingStage.Result pl = timer.measure("pipeline", cap, starter, parts);
        g.pipe = g.pipe.with(pl);
        double rate = pl.imagesPerSecond();
        if (beside != null) {
            double ortRate = (ortBefore + beside.measure()) / 2;
            g.besideRates.add(ortRate);
            g.besideRatios.add(rate / ortRate);
            log.line("pipeline / ORT ceiling beside it, repeat %d: %.3f (ORT %,.0f images/s, the mean "
                    + "of right before and right after)", rep, rate / ortRate, ortRate);
        }
        if (pt != null) {
            // A tiny run's passthrough can commit nothing over its short rounds (a rebalance as the second stream
            // thread joins): its rate is then 0 and the repeat has no ratio (NaN), which the median leaves out.
            double ratio = pt.imagesPerSecond() > 0 ? rate / pt.imagesPerSecond() : Double.NaN;
            g.ratios.add(ratio);
            // What the ratio would be if both stages were CPU-bound on the same cores: the inverse
            // ratio of their CPU per image, which the neighbours' load moves less than rates.
            double cpuRatio = pl.cpuUsPerImage() > 0 ? pt.cpuUsPerImage() / pl.cpuUsPerImage() : Double.NaN;
            g.cpuRatios.add(cpuRatio);
            log.line("pipeline / passthrough, repeat %d: %.3f (by CPU per image: %.3f)", rep, ratio, cpuRatio);
        }
    }
}
