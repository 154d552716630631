package io.hardneg.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hardneg.cli.BenchCommand;
import io.hardneg.config.ConfigKeys;
import io.hardneg.stream.StreamThreads;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** A tiny bench run: asserts the JSON's shape and sanity, never its speed. */
class BenchCommandTest {

    @Test
    @Tag("slow")
    @Timeout(300)
    void shouldPrintEveryRequiredKeyAsTheLastJsonLine() throws Exception {
        StringWriter out = new StringWriter();
        CommandLine cli = new CommandLine(new BenchCommand());
        cli.setOut(new PrintWriter(out));
        int code = cli.execute("--json", "--images", "300", "--time-scale", "0.1", "--batch-sizes", "1,8",
                "--mining-banks", "1000", "--model", "src/test/resources/models/unnormalised/1", "--repeats", "2",
                "--set", "inference.threads=1");
        assertThat(code).isZero();
        JsonNode json = lastLineJson(out);
        for (String key : List.of("ort_ceiling_images_per_s", "decode_images_per_s", "passthrough_images_per_s",
                "per_record_images_per_s", "pipeline_images_per_s", "e2e_p50_ms", "e2e_p99_ms", "peak_rss_mb")) {
            assertThat(json.has(key)).as(key).isTrue();
            assertThat(json.get(key).isNumber()).as(key).isTrue();
            assertThat(json.get(key).asDouble()).as(key).isNotNegative();
        }
        // A tiny run's stage can commit nothing over its quarter-second rounds (a rebalance as the second stream
        // thread joins): its rate is then 0, and a ratio over it is NaN, never Infinity; the median over repeats
        // leaves such a repeat out.
        JsonNode byRepeat = json.get("ratio_pipeline_vs_passthrough_by_repeat");
        double[] measured = new double[byRepeat.size()];
        int m = 0;
        for (JsonNode r : byRepeat) {
            assertThat(r.isNumber() || "NaN".equals(r.asText())).as(byRepeat.toString()).isTrue();
            if (r.isNumber()) {
                measured[m++] = r.asDouble();
            }
        }
        JsonNode ratio = json.get("ratio_pipeline_vs_passthrough");
        if (m == 0) {
            assertThat(ratio.asText()).isEqualTo("NaN");
        } else {
            assertThat(ratio.isNumber()).as(ratio.toString()).isTrue();
            assertThat(ratio.asDouble()).isNotNegative()
                    .isCloseTo(Stats.median(java.util.Arrays.copyOf(measured, m)), within(0.0015));
        }
        JsonNode perRecordRatio = json.get("ratio_pipeline_vs_per_record");
        assertThat(perRecordRatio.isNumber() || json.get("per_record_images_per_s").asDouble() == 0)
                .as(perRecordRatio.toString()).isTrue();
        // A tiny run's streaming figures may round to 0; the ceilings measured without Kafka may not.
        assertThat(json.get("ort_ceiling_images_per_s").asDouble()).isPositive();
        assertThat(json.get("decode_images_per_s").asDouble()).isPositive();
        assertThat(json.has("mining_anchors_per_s_1k")).isTrue();
        assertThat(out.toString()).contains("| pipeline_images_per_s |");
        assertThat(json.get("ratio_pipeline_vs_passthrough_by_repeat")).hasSize(2);
        // The ORT ceiling measured again beside each pipeline repeat, and the pipeline's share of it
        assertThat(json.get("ort_ceiling_beside_pipeline_images_per_s").asDouble()).isPositive();
        assertThat(json.get("ratio_pipeline_vs_ort_beside_by_repeat")).hasSize(2);
        assertThat(json.get("ratio_pipeline_vs_ort_beside").isNumber()).isTrue();
        assertThat(json.get("e2e_caught_up").isBoolean()).isTrue();
        // The latency stage soaks at its rate by default, scaled like every other budget: 60 s x 0.1
        assertThat(json.get("e2e_warmup_s").asDouble()).isGreaterThanOrEqualTo(6.0);
        // The latency window's process CPU: more than nothing (a service, a producer and a broker ran), at most
        // every core
        assertThat(json.get("e2e_cores_busy").asDouble())
                .isBetween(0.01, Runtime.getRuntime().availableProcessors() * 1.25 + 0.25);
        // The window's broker requests per image: the images were produced (the bench's sender, the service's
        // outputs), and a unit slip (per second for per image) lands outside the bound
        JsonNode latencyRequests = json.get("e2e_broker_requests_per_image");
        assertThat(latencyRequests.get("Produce").asDouble()).isBetween(0.0001, 5.0);
        latencyRequests.forEach(perImage -> assertThat(perImage.asDouble()).isPositive());
        // CPU per image is process CPU time over images: at the ORT ceiling's rate it must come to between a
        // sliver of one core and all of them (a unit slip — ns for µs — lands far outside).
        double coresBusy = json.get("ort_cpu_us_per_image").asDouble() * json.get("ort_ceiling_images_per_s").asDouble()
                / 1e6;
        assertThat(coresBusy).isBetween(0.05, Runtime.getRuntime().availableProcessors() * 1.25 + 0.25);
        if (Runtime.getRuntime().availableProcessors() > 1) {
            // With fewer intra-op threads than cores, the machine's ceiling (one thread per core) comes too.
            assertThat(json.get("ort_ceiling_all_cores_images_per_s").asDouble()).isPositive();
        }
        assertThat(json.has("passthrough_cpu_us_per_image")).isTrue();
        assertThat(json.has("pipeline_cpu_us_per_image")).isTrue();
        // The tally behind pipeline_mined_share counts: 300 distinct images are all mined but for a few suspects.
        // (That the bench turns exact-duplicate suppression off for its repeating backlog is BenchSettingsTest's.)
        assertThat(json.get("pipeline_mined_share").asDouble()).isBetween(0.5, 1.0);
        // Mining yielded something, and at most positives-per-anchor × negatives-per-positive (1 × 3) per image
        assertThat(json.get("pipeline_triplets_per_labeled_image").asDouble()).isGreaterThan(0.0).isLessThanOrEqualTo(3.0);
        assertThat(json.get("ratio_pipeline_vs_passthrough_by_cpu")).isNotNull();
        // Batches hold at least one image and at most batch.max (512 by default)
        assertThat(json.get("pipeline_mean_batch").asDouble()).isBetween(1.0, 512.0);
        // (a tiny run's rounds may all be partial: then the split by stage is empty; the next test fills it)
        assertThat(json.get("pipeline_cpu_us_by_stage").isObject()).isTrue();
        // The cores the pipeline kept busy (NaN when a tiny run had no full round) and its stream threads (the
        // default, auto: one per core up to the 4 partitions of images)
        int cores = Runtime.getRuntime().availableProcessors();
        assertThat(json.has("pipeline_cores_busy")).isTrue();
        if (json.get("pipeline_cores_busy").isNumber()) {
            assertThat(json.get("pipeline_cores_busy").asDouble()).isBetween(0.05, cores * 1.25 + 0.25);
        }
        assertThat(json.get("pipeline_stream_threads").asInt())
                .isEqualTo(StreamThreads.resolve(ConfigKeys.STREAMS_THREADS_AUTO, cores, 4));
        // One instance unless --instances asks for more, and no shares to split then
        assertThat(json.get("pipeline_instances").asInt()).isEqualTo(1);
        assertThat(json.has("pipeline_share_by_instance")).isFalse();
        // Where the stream thread waited, and the broker's requests per image, over a stage's rounds (a tiny run's
        // fast stage may have none, so empty then; BenchMetricsIT reads the same metrics on a running service)
        for (String stage : List.of("passthrough", "pipeline")) {
            JsonNode t = json.get(stage + "_stream_time");
            JsonNode requests = json.get(stage + "_broker_requests_per_image");
            assertThat(t.isObject() && requests.isObject()).as(stage).isTrue();
            if (t.size() > 0) {
                // A call's blocked time is added to the total when it returns, so one that began before the
                // window counts whole within it: over a tiny run's quarter-second rounds, a share of 1.10 came
                // from a wait of 30 ms more than the window held. A unit slip (µs for ns) lands far above 1.5.
                assertThat(t.get("blocked").asDouble()).as(stage).isBetween(0.0, 1.5);
                assertThat(t.get("flush").asDouble() + t.get("commit").asDouble()).as(stage)
                        .isBetween(0.0, t.get("blocked").asDouble() + 0.01);
                // (which request types a few tiny rounds saw varies; BenchMetricsIT asserts them on real traffic)
                requests.forEach(perImage -> assertThat(perImage.asDouble()).as(stage).isPositive());
            }
        }
    }

    @Test
    @Tag("slow")
    @Timeout(300)
    void shouldSplitThePipelinesCpuPerImageByStageOverTwoInstances() throws Exception {
        // Given a pipeline-only run with a backlog long enough for full rounds (4,000 ran out within the first
        // round once, at 7,600 images/s, leaving no round to split; with 20,000 the first instance had taken 17,000
        // before the second had restored its tasks; with batches of 512, 40,000 ran out once before the split had
        // settled), as two instances of one application with one stream thread each (a run of its own would cost CI
        // another 28 s, most of it the broker and the backlog)
        StringWriter out = new StringWriter();
        CommandLine cli = new CommandLine(new BenchCommand());
        cli.setOut(new PrintWriter(out));
        int code = cli.execute("--json", "--stages", "pipeline", "--images", "80000", "--time-scale", "0.3",
                "--repeats", "1", "--model", "src/test/resources/models/unnormalised/1",
                "--set", "inference.threads=1", "--instances", "2", "--set", "streams.threads=1");
        assertThat(code).isZero();
        JsonNode json = lastLineJson(out);
        // Then the figures are the group's: both instances' stream threads, and a rate
        assertThat(json.get("pipeline_instances").asInt()).isEqualTo(2);
        assertThat(json.get("pipeline_stream_threads").asInt()).isEqualTo(2);
        assertThat(json.get("pipeline_images_per_s").asDouble()).isPositive();
        // And each instance processed part of the records over the rounds: they split the partitions of images
        JsonNode shares = json.get("pipeline_share_by_instance");
        assertThat(shares).hasSize(2);
        assertThat(shares.get(0).asDouble() + shares.get(1).asDouble()).isCloseTo(1.0, within(0.002));
        shares.forEach(share -> assertThat(share.asDouble()).as(shares.toString()).isGreaterThan(0.1));
        // And the CPU per image comes split by part of the processor (both instances' parts charged to one timer),
        // the JVM's and the rest said
        JsonNode byStage = json.get("pipeline_cpu_us_by_stage");
        // (with one repeat, the repeat the split covers is the one the median is taken over)
        assertThat(json.get("pipeline_last_repeat_cpu_us_per_image").asDouble())
                .isEqualTo(json.get("pipeline_cpu_us_per_image").asDouble());
        List<String> parts = new java.util.ArrayList<>();
        byStage.fieldNames().forEachRemaining(parts::add);
        assertThat(parts).containsExactly("decode", "inference", "mining", "suspects", "guards", "encoding", "sends",
                "bank_writes", "changelog", "jvm", "kafka_and_other");
        // And no part is negative, the work every image gets costs something, and the parts add up to the process's
        // CPU per image over the rounds, which is pipeline_cpu_us_per_image: to the parts' rounding (0.05 µs each),
        // or above it where the thread timers read a little more than the process's clock (the rest is then 0)
        double sum = 0;
        for (String part : parts) {
            assertThat(byStage.get(part).asDouble()).as(byStage.toString()).isNotNegative();
            sum += byStage.get(part).asDouble();
        }
        for (String part : List.of("decode", "inference", "mining", "encoding", "changelog")) {
            assertThat(byStage.get(part).asDouble()).as(byStage.toString()).isPositive();
        }
        double perImage = json.get("pipeline_cpu_us_per_image").asDouble();
        assertThat(sum).as(byStage + " against " + perImage).isBetween(perImage - 0.6, 1.05 * perImage + 0.6);
        // And the cores busy over the same rounds are the process's CPU per image times the rate, within the
        // rounds' spread (median against whole window), and never more than the machine has
        double busy = json.get("pipeline_cores_busy").asDouble();
        double fromRate = perImage * json.get("pipeline_images_per_s").asDouble() / 1e6;
        assertThat(busy).as("against " + fromRate).isBetween(0.5 * fromRate, 2.0 * fromRate);
        assertThat(busy).isLessThanOrEqualTo(Runtime.getRuntime().availableProcessors() * 1.25 + 0.25);
    }

    @Test
    @Timeout(300)
    void shouldWarmThePipelineForALatencyOnlyRunAndSayThatItCaughtUp(@TempDir Path dir) throws Exception {
        // Given a latency-only run (no pipeline stage to warm the code first) at a rate any machine keeps up with
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new BenchCommand());
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        Path csv = dir.resolve("latency.csv");
        int code = cli.execute("--json", "--stages", "latency", "--latency-rate", "200", "--images", "300",
                "--time-scale", "0.1", "--model", "src/test/resources/models/unnormalised/1",
                "--latency-csv", csv.toString(), "--latency-warmup", "2");
        // Then it reports latencies taken after the service caught up, and nothing it did not measure
        assertThat(code).isZero();
        JsonNode json = lastLineJson(out);
        assertThat(json.get("e2e_caught_up").asBoolean()).isTrue();
        assertThat(json.get("e2e_rate_images_per_s").asDouble()).isEqualTo(200.0);
        assertThat(json.get("e2e_samples").asInt()).isPositive();
        assertThat(json.get("e2e_p99_ms").asDouble()).isGreaterThanOrEqualTo(json.get("e2e_p50_ms").asDouble());
        assertThat(json.has("pipeline_images_per_s")).isFalse();
        assertThat(json.has("passthrough_images_per_s")).isFalse();
        // And the samples behind the percentiles are in the CSV, one line each, the worst window among them
        List<String> rows = Files.readAllLines(csv);
        assertThat(rows.get(0)).isEqualTo("sent_ms,latency_ms");
        assertThat(rows).hasSize(json.get("e2e_samples").asInt() + 1);
        long max = rows.stream().skip(1).mapToLong(r -> Long.parseLong(r.split(",")[1])).max().orElseThrow();
        assertThat(max).isEqualTo(json.get("e2e_max_ms").asLong());
        assertThat(json.get("e2e_worst_250ms_window_p50_ms").asDouble()).isPositive().isLessThanOrEqualTo(max);
        assertThat(json.get("e2e_input_queue_time_max_ms").asDouble()).isNotNegative();
        assertThat(json.get("e2e_input_request_latency_max_ms").asDouble()).isPositive();
        // The stream's own producer and commits are read from its metrics: a commit took some time, and a retry
        // count is a count.
        assertThat(json.get("e2e_stream_commit_max_ms").asDouble()).isPositive();
        assertThat(json.get("e2e_stream_request_max_ms").asDouble()).isPositive();
        assertThat(json.get("e2e_stream_send_retries").asDouble()).isNotNegative();
        assertThat(json.has("e2e_stream_process_max_ms")).isTrue();
        assertThat(json.has("e2e_stream_punctuate_max_ms")).isTrue();
        // The measured window says how busy the JIT still was and where the cores went (native threads included)
        // It was fed for at least the soak asked for before measuring
        assertThat(json.get("e2e_warmup_s").asDouble()).isGreaterThanOrEqualTo(2.0);
        // CPU time over a wall window read a moment apart: on a swamped machine it overshoots the cores a little.
        assertThat(json.get("e2e_jit_cores").asDouble())
                .isBetween(0.0, 1.1 * Runtime.getRuntime().availableProcessors());
        assertThat(json.has("e2e_gc_cores")).isTrue();
        if (Files.isDirectory(Path.of("/proc/self/task"))) {
            assertThat(json.get("e2e_cores_by_thread").isObject()).isTrue();
            assertThat(json.get("e2e_cores_by_thread").size()).isPositive();
        }
    }

    @Test
    void shouldRunOnlyTheStagesAskedFor() throws Exception {
        StringWriter out = new StringWriter();
        CommandLine cli = new CommandLine(new BenchCommand());
        cli.setOut(new PrintWriter(out));
        int code = cli.execute("--json", "--stages", "mining", "--time-scale", "0.05", "--mining-banks", "500,2000");
        assertThat(code).isZero();
        JsonNode json = lastLineJson(out);
        assertThat(json.get("mining_anchors_per_s_500").asDouble()).isPositive();
        assertThat(json.get("mining_anchors_per_s_2k").asDouble()).isPositive();
        assertThat(json.get("mining_triplets_per_anchor_2k").asDouble()).isPositive();
        assertThat(json.get("mining_first_batch_ms_500").asDouble()).isPositive();
        // suspect detection is on by default, so the stage times it both ways too
        assertThat(json.get("mining_with_suspects_anchors_per_s_2k").asDouble()).isPositive();
        assertThat(json.get("mining_then_suspects_anchors_per_s_2k").asDouble()).isPositive();
        assertThat(json.get("ratio_mining_one_pass_vs_two_500").asDouble()).isPositive();
        // and the stream's own case: the shipped model's embeddings of the bundled images, the configured bank
        assertThat(json.get("mining_bundled_anchors_per_s").asDouble()).isPositive();
        assertThat(json.get("mining_bundled_bank_rows").asInt()).isBetween(1000, 2560);
        assertThat(json.get("mining_bundled_triplets_per_anchor").asDouble()).isPositive();
        // and with the configured rules and budget
        assertThat(json.get("mining_configured_anchors_per_s").asDouble()).isPositive();
        assertThat(json.get("mining_configured_us_per_anchor").asDouble()).isPositive();
        assertThat(json.has("pipeline_images_per_s")).isFalse();
        assertThat(json.has("ort_ceiling_images_per_s")).isFalse();
        assertThat(json.has("ratio_pipeline_vs_passthrough")).isFalse();
        assertThat(json.has("peak_rss_mb")).isTrue();
    }

    @Test
    void shouldRefuseUnknownStagesAndLatencyWithoutPipelineInOneLine() {
        for (String stages : List.of("mining,warp", "latency")) {
            StringWriter err = new StringWriter();
            CommandLine cli = new CommandLine(new BenchCommand());
            cli.setErr(new PrintWriter(err));
            int code = cli.execute("--stages", stages);
            assertThat(code).as(stages).isEqualTo(2);
            assertThat(err.toString()).as(stages).containsAnyOf("unknown bench stage 'warp'",
                    "add 'pipeline' to the stages");
        }
    }

    @Test
    void shouldRefuseANegativeLatencyWarmUp() {
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new BenchCommand());
        cli.setErr(new PrintWriter(err));
        int code = cli.execute("--stages", "mining", "--latency-warmup", "-1");
        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("latency warm-up must be >= 0 seconds, found -1.0");
    }

    @Test
    void shouldRefuseInstancesOutsideOneToSixteenOrWithoutThePipelineInOneLine() {
        for (List<String> args : List.of(List.of("--instances", "0"), List.of("--instances", "99"),
                List.of("--instances", "2", "--stages", "mining"))) {
            StringWriter err = new StringWriter();
            CommandLine cli = new CommandLine(new BenchCommand());
            cli.setErr(new PrintWriter(err));
            int code = cli.execute(args.toArray(String[]::new));
            assertThat(code).as(args.toString()).isEqualTo(2);
            assertThat(err.toString()).as(args.toString()).containsAnyOf(
                    "--instances must be between 1 and 16, found " + args.get(1),
                    "--instances applies to the pipeline stage only");
            assertThat(err.toString()).as(args.toString()).doesNotContain("Exception", "\tat ");
        }
    }

    /** With --json the last stdout line is the result object. */
    private static JsonNode lastLineJson(StringWriter out) throws Exception {
        String[] lines = out.toString().trim().split("\n");
        return new ObjectMapper().readTree(lines[lines.length - 1]);
    }
}
