package io.hardneg.bench;

import static io.hardneg.bench.Stats.round;
import static io.hardneg.bench.Stats.round3;

import io.hardneg.config.HardnegConfig;
import io.hardneg.producer.ImageSender;
import io.hardneg.producer.LabeledImage;
import io.hardneg.service.HardnegService;
import io.hardneg.stream.Topics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Stage 7: end-to-end latency of a fresh pipeline fed at a fixed rate, measured once it has caught up with its
 * input and the JIT is quiet (or after a soak).
 */
final class LatencyStage {

    /**
     * The latency samples, whether the service had caught up with the rate before they were taken, and what the
     * JVM, the bench's producer and the stream's clients did over the measured window.
     */
    record Figures(double rate, CommittedCounter.Samples samples, boolean caughtUp, double warmupSeconds,
                   double jitCores, double gcCores, double coresBusy, Map<String, Double> coresByThread,
                   double inputQueueMaxMs, double inputRequestMaxMs, double streamRetries,
                   Map<String, Double> streamWaits, Map<String, Double> requestsPerImage, long commitIntervalMs)
            implements BenchFigures {

        @Override
        public void writeTo(Map<String, Object> json) {
            long[] lat = samples.sorted();
            json.put("e2e_rate_images_per_s", round(rate));
            // false: the service never kept up with the rate, so the figures include a growing backlog.
            json.put("e2e_caught_up", caughtUp);
            json.put("e2e_warmup_s", round(warmupSeconds));
            // The JIT's share of the measured window (0 once warm), and where the cores went: a stall with the
            // compilers or the GC's concurrent threads busy is the machine's two cores taken, not a wait.
            json.put("e2e_jit_cores", round3(jitCores));
            json.put("e2e_gc_cores", round3(gcCores));
            // The whole process over the window, the bench's producer and counting consumer and the broker
            // included: how much of the machine "half load" of the pipeline's rate takes.
            json.put("e2e_cores_busy", round3(coresBusy));
            json.put("e2e_cores_by_thread", coresByThread);
            // At a moderate rate each request carries few images, and the broker pays per request: this says
            // which clients' requests the cores went to.
            json.put("e2e_broker_requests_per_image", requestsPerImage);
            json.put("e2e_samples", lat.length);
            json.put("e2e_p50_ms", Stats.percentile(lat, 50));
            json.put("e2e_p90_ms", Stats.percentile(lat, 90));
            json.put("e2e_p99_ms", Stats.percentile(lat, 99));
            json.put("e2e_max_ms", lat.length == 0 ? Double.NaN : lat[lat.length - 1]);
            // A tail from one or two stalls (every record of a quarter second waits) reads differently from a
            // steady spread: the worst window's median says which.
            json.put("e2e_worst_250ms_window_p50_ms", samples.worstWindowMedian(250));
            // The inputs' own share: how long the bench's producer held a record at worst, and how long the
            // broker took to acknowledge one. When both are small next to a stall, the stall came later.
            json.put("e2e_input_queue_time_max_ms", round(inputQueueMaxMs));
            json.put("e2e_input_request_latency_max_ms", round(inputRequestMaxMs));
            // The stream's own side: sends its producer had to retry while measuring (each waits out a
            // back-off with the transaction open), its slowest commit and its slowest request to the broker.
            json.put("e2e_stream_send_retries", streamRetries);
            json.put("e2e_stream_commit_max_ms", round(streamWaits.get(StreamWaits.COMMIT_MAX)));
            json.put("e2e_stream_request_max_ms", round(streamWaits.get(StreamWaits.REQUEST_MAX)));
            // A batch is embedded and mined inside one process() (full) or one punctuation (linger): a stall
            // of the stream thread's own shows here.
            json.put("e2e_stream_process_max_ms", round(streamWaits.get(StreamWaits.PROCESS_MAX)));
            json.put("e2e_stream_punctuate_max_ms", round(streamWaits.get(StreamWaits.PUNCTUATE_MAX)));
            json.put("commit_interval_ms", commitIntervalMs);
        }
    }

    /** Where the warm-up at the target rate left off. */
    private record WarmUp(int sent, boolean caughtUp, double seconds) {
    }

    private final BenchRunner.Options options;
    private final CommittedCounter counter;
    private final BenchLog log;

    LatencyStage(BenchRunner.Options options, CommittedCounter counter, BenchLog log) {
        this.options = options;
        this.counter = counter;
        this.log = log;
    }

    /**
     * Feeds a fresh service (reading from the latest offsets) at {@code rate} until it has caught up, then for
     * {@code seconds} more, and takes the latencies of the latter.
     */
    Figures run(HardnegConfig config, List<LabeledImage> sample, double rate, double seconds) throws Exception {
        try (HardnegService app = BenchApps.startService(config);
             ImageSender sender = new ImageSender(config.bootstrapServers(), Topics.IMAGES.name(), rate, Map.of())) {
            Thread.sleep(1000); // the "latest" offsets are fixed once the first fetch runs
            WarmUp w = warmUp(sender, sample, rate, seconds);
            counter.recordLatencyFrom(System.currentTimeMillis());
            long jit0 = JitWatch.totalCompileMillis();
            long cpu0 = CpuClock.processNanos();
            ThreadCpu.Snapshot threads0 = ThreadCpu.snapshot();
            long w0 = System.nanoTime();
            Map<String, Long> requests0 = BrokerRequests.counts();
            double retriesBefore = StreamWaits.read(app.streams().metrics()).get(StreamWaits.RETRIES);
            int i = w.sent();
            int total = i + (int) Math.max(10, rate * seconds);
            long sentInWindow = total - w.sent();
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
            double coresBusy = CpuClock.cores(cpu0, CpuClock.processNanos(), window);
            ThreadCpu.Snapshot threads1 = ThreadCpu.snapshot();
            Map<String, Double> requestsPerImage = BrokerRequests.perImage(requests0, BrokerRequests.counts(),
                    sentInWindow, 8);
            Map<String, Double> byThread = ThreadCpu.coresByName(threads0, threads1, window, ThreadCpu.USER_HZ, 8);
            double gcCores = ThreadCpu.cores(threads0, threads1, window, ThreadCpu.USER_HZ, ThreadCpu::isGcThread);
            log.line("latency: %.2f cores busy; by thread %s", coresBusy, byThread);
            Map<String, Double> streamWaits = StreamWaits.read(app.streams().metrics());
            Figures f = new Figures(rate, counter.samples(), w.caughtUp(), w.seconds(), jitCores, gcCores, coresBusy,
                    byThread, inputQueueMax, inputRequestMax, streamWaits.get(StreamWaits.RETRIES) - retriesBefore,
                    streamWaits, requestsPerImage, config.streams().commitIntervalMs());
            if (options.latencyCsv() != null) {
                writeCsv(options.latencyCsv(), f.samples());
                log.line("latency samples written to %s", options.latencyCsv());
            }
            return f;
        }
    }

    /**
     * Feeds at the target rate until the fresh service has caught up with its input (committed outputs within 0.3 s
     * of what was sent) for at least 3 s, and then until the soak ({@code --latency-warmup}) is over or, without one,
     * until the JIT is quiet: measuring from its start-up backlog would report the start-up, and measuring while C2
     * still compiles the code this load takes (the broker's transactional produce path, first of all) reports the
     * JIT's stalls, not the steady state. Capped, so an overloaded machine still yields figures.
     */
    private WarmUp warmUp(ImageSender sender, List<LabeledImage> sample, double rate, double seconds) {
        long base0 = counter.count();
        long t0 = System.nanoTime();
        int i = 0;
        double caughtUpSince = -1;
        JitWatch jit = new JitWatch(2.0);
        double lastJitReading = -1;
        double lastRecordingStart = -1;
        while (true) {
            double elapsed = (System.nanoTime() - t0) / 1e9;
            if (elapsed - lastRecordingStart >= 1.0) {
                // The counter records (and here throws away) latencies during the warm-up too: a branch first taken
                // when the window opens would be deoptimised and compiled again inside the window.
                counter.recordLatencyFrom(System.currentTimeMillis());
                lastRecordingStart = elapsed;
            }
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
        return new WarmUp(i, caughtUpSince >= 0, warmup);
    }

    private static void writeCsv(Path file, CommittedCounter.Samples samples) throws IOException {
        StringBuilder b = new StringBuilder("sent_ms,latency_ms\n");
        for (int i = 0; i < samples.latencyMs().length; i++) {
            b.append(samples.sentAtMs()[i]).append(',').append(samples.latencyMs()[i]).append('\n');
        }
        Files.writeString(file, b);
    }
}
