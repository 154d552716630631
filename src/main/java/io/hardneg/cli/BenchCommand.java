package io.hardneg.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.hardneg.bench.BenchRunner;
import io.hardneg.bench.BenchTable;
import io.hardneg.broker.BrokerOptions;
import io.hardneg.broker.EmbeddedKafkaBroker;
import io.hardneg.config.HardnegConfig;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code hardneg bench}: every stage's throughput, and the pipeline's share of its ceilings, in one run. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measures, in one process on an in-process broker: ONNX Runtime's ceiling, decoding, Kafka "
                + "Streams' passthrough ceiling, the per-record and batched pipelines, mining, end-to-end latency and "
                + "memory. Report ratios: absolute numbers move with the machine's load.")
public final class BenchCommand implements Callable<Integer> {

    /**
     * The bench's own settings, which --set overrides. Its backlog repeats the bundled images under new ids, so with
     * exact-duplicate suppression on every image after the first pass would be embedded but neither mined nor
     * banked: the stages measured after their warm-up would skip mining altogether.
     */
    static final Map<String, String> BENCH_SETTINGS = Map.of("dedup.exact.window", "0");

    @Spec
    CommandSpec spec;

    @Mixin
    ConfigOptions options;

    @Option(names = "--images", defaultValue = "100000", paramLabel = "N",
            description = "Images preloaded for the streaming stages (default: ${DEFAULT-VALUE}).")
    int images;

    @Option(names = "--batch-sizes", defaultValue = "1,8,32,128,512", split = ",", paramLabel = "B",
            description = "Batch sizes of the ONNX Runtime ceiling (default: ${DEFAULT-VALUE}).")
    int[] batches;

    @Option(names = "--mining-banks", defaultValue = "10000,100000", split = ",", paramLabel = "N",
            description = "Bank sizes of the mining stage (default: ${DEFAULT-VALUE}).")
    int[] miningBanks;

    @Option(names = "--time-scale", defaultValue = "1", paramLabel = "X",
            description = "Scales every stage's time budget; below 1 for a quick, rougher run (default: ${DEFAULT-VALUE}).")
    double timeScale;

    @Option(names = "--stages", split = ",", paramLabel = "S",
            defaultValue = "ort,decode,passthrough,per-record,pipeline,mining,latency",
            description = "Stages to run (default: all of ${DEFAULT-VALUE}); latency needs pipeline or --latency-rate; "
                    + "soak (not in the default) runs --minutes with a hot swap and a verdict.")
    java.util.List<String> stages;

    @Option(names = "--repeats", defaultValue = "3", paramLabel = "R",
            description = "Passthrough and pipeline run R times each, alternating; the ratio is the median of the "
                    + "repeats' ratios (default: ${DEFAULT-VALUE}).")
    int repeats;

    @Option(names = "--instances", defaultValue = "1", paramLabel = "N",
            description = "The pipeline stage runs N instances of the service (1 to " + BenchRunner.MAX_INSTANCES
                    + "), one consumer group sharing the partitions of images, in this process against its one "
                    + "broker (default: ${DEFAULT-VALUE}).")
    int instances;

    @Option(names = "--latency-rate", defaultValue = "0", paramLabel = "N",
            description = "Images/s of the latency stage (default: half the measured pipeline rate).")
    double latencyRate;

    @Option(names = "--latency-warmup", paramLabel = "S",
            description = "Feed the latency stage at its rate for at least S seconds before measuring: a soak, so "
                    + "that the JIT has compiled what this load runs; 0 measures once it has caught up and the JIT "
                    + "is quiet (default: " + (int) BenchRunner.LATENCY_SOAK_SECONDS + " s times --time-scale).")
    Double latencyWarmup;

    @Option(names = "--latency-csv", paramLabel = "FILE",
            description = "Also write each latency sample (sent_ms,latency_ms, arrival order) to FILE.")
    java.nio.file.Path latencyCsv;

    @Option(names = "--minutes", defaultValue = "30", paramLabel = "M",
            description = "Soak: minutes fed at a steady rate, the model hot-swapped in the middle; fractions allowed "
                    + "(default: ${DEFAULT-VALUE}).")
    double soakMinutes;

    @Option(names = "--rate", defaultValue = "0", paramLabel = "N",
            description = "Soak: images/s (default: half the pipeline rate, measured first when the pipeline stage "
                    + "is not asked for).")
    double soakRate;

    @Option(names = "--soak-interval", defaultValue = "60", paramLabel = "S",
            description = "Soak: seconds between readings, one row of its table each (default: ${DEFAULT-VALUE}).")
    double soakInterval;

    @Option(names = "--soak-csv", paramLabel = "FILE", description = "Soak: also write its table to FILE as CSV.")
    java.nio.file.Path soakCsv;

    @Option(names = "--json", description = "Print one JSON object as the last line of stdout.")
    boolean json;

    /** A stage's configuration: the bench's own settings, then the user's, then the stage's {@code flags}. */
    HardnegConfig config(Map<String, String> flags) {
        Map<String, String> f = new LinkedHashMap<>(flags);
        f.put("http.port", "0");
        return options.load(BENCH_SETTINGS, f);
    }

    @Override
    public Integer call() throws Exception {
        if (images < 100) {
            throw new ParameterException(spec.commandLine(), "--images must be at least 100, found " + images);
        }
        if (!(timeScale > 0) || Arrays.stream(batches).anyMatch(b -> b < 1)
                || Arrays.stream(miningBanks).anyMatch(b -> b < 1)) {
            throw new ParameterException(spec.commandLine(), "--time-scale, --batch-sizes and --mining-banks must be > 0");
        }
        PrintWriter out = spec.commandLine().getOut();
        BenchRunner.Options opts;
        try {
            opts = new BenchRunner.Options(images, batches, this::config, timeScale, miningBanks,
                    new java.util.HashSet<>(stages), repeats, instances, latencyRate,
                    latencyWarmup != null ? latencyWarmup : BenchRunner.LATENCY_SOAK_SECONDS * timeScale, latencyCsv,
                    new BenchRunner.Soak(soakMinutes, soakRate, soakInterval, soakCsv));
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        BenchRunner runner = new BenchRunner(opts, System.err);
        Map<String, Object> result;
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(BrokerOptions.defaults())) {
            result = runner.run(broker.bootstrapServers());
        }
        out.println(BenchTable.markdown(result));
        if (json) {
            out.println(new ObjectMapper().writeValueAsString(result));
        }
        out.flush();
        // A failed soak fails the command, so that CI (and a script) cannot miss it; the figures are printed first.
        return "fail".equals(result.get("soak_verdict")) ? SOAK_FAILED : 0;
    }

    /** The exit status of a run whose soak verdict is "fail". */
    public static final int SOAK_FAILED = 3;
}
