package io.hardneg.bench;

import static io.hardneg.bench.Stats.round;

import io.hardneg.bench.SoakVerdict.Minute;
import io.hardneg.config.HardnegConfig;
import io.hardneg.model.ModelSource;
import io.hardneg.producer.ImageSender;
import io.hardneg.producer.LabeledImage;
import io.hardneg.service.HardnegService;
import io.hardneg.stream.MiningTopology;
import io.hardneg.stream.Topics;
import io.hardneg.update.ModelPublisher;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.LogDirDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * The soak: a fresh service fed at a steady rate for minutes, the serving model hot-swapped in the middle, with the
 * process's resources and the e2e latency read every interval and judged by {@link SoakVerdict}.
 */
final class SoakStage {

    /** Where the hot swap in the middle went: from which version to which, and how long the service took. */
    record Swap(double atMinute, String from, String to, boolean switched, double switchSeconds) {
    }

    /** Every interval's readings, the swap and the verdict. */
    record Figures(double minutes, double intervalSeconds, double rate, double maxHeapMb, List<Minute> rows,
                   Swap swap, SoakVerdict.Result verdict) implements BenchFigures {

        @Override
        public void writeTo(Map<String, Object> json) {
            json.put("soak_minutes", minutes);
            json.put("soak_interval_s", intervalSeconds);
            json.put("soak_rate_images_per_s", round(rate));
            json.put("soak_warmup_intervals", verdict.warmupIntervals());
            List<Map<String, Object>> table = new ArrayList<>();
            for (Minute m : rows) {
                table.add(row(m));
            }
            json.put("soak_rows", table);
            Map<String, Double> slopes = new LinkedHashMap<>();
            verdict.slopesPerMinute().forEach((k, v) -> slopes.put(k, Stats.round3(v)));
            json.put("soak_slopes_per_min", slopes);
            json.put("soak_bounds", bounds(maxHeapMb));
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("at_min", round(swap.atMinute()));
            s.put("from", swap.from());
            s.put("to", swap.to());
            s.put("switched", swap.switched());
            s.put("switch_s", round(swap.switchSeconds()));
            json.put("soak_swap", s);
            json.put("soak_verdict", verdict.pass() ? "pass" : "fail");
            json.put("soak_verdict_reasons", verdict.reasons());
        }

        private static Map<String, Object> row(Minute m) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("minute", Stats.round3(m.minute()));
            r.put("samples", m.samples());
            r.put("e2e_p50_ms", m.p50Ms());
            r.put("e2e_p99_ms", m.p99Ms());
            r.put("e2e_max_ms", m.maxMs());
            r.put("heap_after_gc_mb", round(m.heapAfterGcMb()));
            r.put("heap_committed_mb", round(m.heapCommittedMb()));
            r.put("gc_ms", round(m.gcMs()));
            r.put("rss_mb", round(m.rssMb()));
            r.put("fds", m.fds());
            r.put("threads", m.threads());
            r.put("bank_rows", m.bankRows());
            r.put("bank_image_mb", round(m.bankImageMb()));
            r.put("pending_records", m.pendingRecords());
            r.put("buffer_changelog_mb", round(m.bufferChangelogMb()));
            r.put("bank_topic_mb", round(m.bankTopicMb()));
            r.put("model_version", m.modelVersion());
            return r;
        }

        private static Map<String, Double> bounds(double maxHeapMb) {
            Map<String, Double> b = new LinkedHashMap<>();
            b.put("heap_after_gc_mb_per_min", round(SoakVerdict.HEAP_SLOPE_OF_MAX * maxHeapMb));
            b.put("rss_outside_heap_mb_per_min", round(SoakVerdict.RSS_SLOPE_OF_MAX * maxHeapMb));
            b.put("fds_and_threads_growth", SoakVerdict.COUNT_GROWTH);
            b.put("p99_factor", SoakVerdict.P99_FACTOR);
            b.put("p99_slack_ms", SoakVerdict.P99_SLACK_MS);
            return b;
        }
    }

    private static final String HEADER = "minute  samples  p50_ms  p99_ms  heap_gc_mb  gc_ms  rss_mb  fds  threads  "
            + "bank_rows  pending  changelog_mb  version";

    private final double minutes;
    private final double intervalSeconds;
    private final CommittedCounter counter;
    private final BenchLog log;

    SoakStage(double minutes, double intervalSeconds, CommittedCounter counter, BenchLog log) {
        this.minutes = minutes;
        this.intervalSeconds = intervalSeconds;
        this.counter = counter;
        this.log = log;
    }

    /** Feeds a fresh service (reading from the latest offsets) at {@code rate} for the soak's minutes. */
    Figures run(HardnegConfig config, List<LabeledImage> sample, double rate) throws Exception {
        int intervals = Math.max(1, (int) Math.round(minutes * 60 / intervalSeconds));
        // Admin's thread and sockets are opened before the first reading, so that they count from the start.
        try (HardnegService app = BenchApps.startService(config);
             Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers()));
             ImageSender sender = new ImageSender(config.bootstrapServers(), Topics.IMAGES.name(), rate, Map.of())) {
            Thread.sleep(1000); // the "latest" offsets are fixed once the first fetch runs
            String changelog = config.applicationId() + "-" + MiningTopology.PENDING_STORE + "-changelog";
            Feeder feeder = new Feeder(sender, sample);
            long t0 = System.nanoTime();
            counter.recordLatencyFrom(System.currentTimeMillis());
            feeder.start();
            List<Minute> rows = new ArrayList<>();
            String from = app.model().info().version();
            Swap swap = null;
            double swapAt = intervals * intervalSeconds / 2;
            log.line("soak: %d intervals of %.0f s at %.0f images/s, hot swap at %.1f min; %s", intervals,
                    intervalSeconds, rate, swapAt / 60, HEADER);
            try {
                for (int k = 0; k < intervals; k++) {
                    long boundary = t0 + (long) ((k + 1) * intervalSeconds * 1e9);
                    while (System.nanoTime() < boundary) {
                        double elapsed = (System.nanoTime() - t0) / 1e9;
                        if (swap == null && elapsed >= swapAt) {
                            swap = hotSwap(config, app, from, elapsed / 60, t0 + (long) (intervals * intervalSeconds
                                    * 1e9));
                        }
                        Thread.sleep(Math.max(1, Math.min(200, (boundary - System.nanoTime()) / 1_000_000)));
                    }
                    Minute m = read((System.nanoTime() - t0) / 6e10, counter.takeSamples(), app, admin, changelog);
                    rows.add(m);
                    log.line("soak: %s", line(m));
                }
            } finally {
                feeder.stop();
            }
            counter.samples(); // stops recording
            if (swap == null) {
                swap = new Swap(Double.NaN, from, null, false, Double.NaN);
            }
            double maxHeapMb = Runtime.getRuntime().maxMemory() / 1048576.0;
            SoakVerdict.Result verdict = SoakVerdict.judge(rows, maxHeapMb, swap.switched());
            log.line("soak: verdict %s%s", verdict.pass() ? "pass" : "fail",
                    verdict.reasons().isEmpty() ? "" : " — " + String.join("; ", verdict.reasons()));
            return new Figures(minutes, intervalSeconds, rate, maxHeapMb, rows, swap, verdict);
        }
    }

    /**
     * Announces the serving model again under the next version, as {@code model publish} would, and waits (until
     * the soak's end at most) for the service to serve it.
     */
    private Swap hotSwap(HardnegConfig config, HardnegService app, String from, double atMinute, long endNanos)
            throws Exception {
        String to = from.matches("\\d+") ? Long.toString(Long.parseLong(from) + 1) : from + "-soak";
        ModelSource source = config.modelPath() == null ? ModelSource.defaultModel()
                : ModelSource.path(config.modelPath());
        Path dir = Files.createTempDirectory("hardneg-soak-model-");
        Path file = dir.resolve(app.model().info().name()).resolve(to).resolve("model.onnx");
        Files.createDirectories(file.getParent());
        Files.write(file, OnnxVersion.withVersion(source.bytes(), to));
        Path keyFile = config.modelUpdates().hmacKeyFile();
        byte[] key = keyFile == null ? null : Files.readAllBytes(keyFile);
        long s0 = System.nanoTime();
        ModelPublisher.publish(config.bootstrapServers(), Map.of(), ModelPublisher.announce(file, key));
        log.line("soak: published %s v%s as v%s on '%s'", app.model().info().name(), from, to,
                Topics.MODEL_UPDATES.name());
        while (!to.equals(app.model().info().version()) && System.nanoTime() < endNanos) {
            Thread.sleep(100);
        }
        boolean switched = to.equals(app.model().info().version());
        double seconds = (System.nanoTime() - s0) / 1e9;
        log.line("soak: %s", switched ? String.format(Locale.ROOT, "serving v%s %.1f s after the announcement", to,
                seconds) : "the service did not switch to v" + to);
        deleteQuietly(file, dir);
        return new Swap(atMinute, from, to, switched, switched ? seconds : Double.NaN);
    }

    /** One interval's readings; the full GC first, so that the heap figure is what is live. */
    private static Minute read(double minute, CommittedCounter.Samples samples, HardnegService app, Admin admin,
                               String changelog) {
        long g0 = System.nanoTime();
        System.gc();
        double gcMs = (System.nanoTime() - g0) / 1e6;
        var heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        long[] lat = samples.sorted();
        Map<String, Long> topicBytes = topicBytes(admin);
        return new Minute(minute, lat.length, Stats.percentile(lat, 50), Stats.percentile(lat, 99),
                lat.length == 0 ? Double.NaN : lat[lat.length - 1], heap.getUsed() / 1048576.0,
                heap.getCommitted() / 1048576.0, gcMs, MemoryWatch.rssMb(),
                MemoryWatch.openFds(), MemoryWatch.threads(), app.bank().size(),
                app.bank().imageBytes() / 1048576.0, pendingRecords(app.streams()),
                topicBytes.getOrDefault(changelog, -1L) / 1048576.0,
                topicBytes.getOrDefault(Topics.EMBEDDING_BANK.name(), -1L) / 1048576.0, app.model().info().version());
    }

    /** Images in the batch buffer now, over every partition; -1 while the store is not queryable (a rebalance). */
    private static long pendingRecords(KafkaStreams streams) {
        try {
            ReadOnlyKeyValueStore<Bytes, byte[]> store = streams.store(StoreQueryParameters.fromNameAndType(
                    MiningTopology.PENDING_STORE, QueryableStoreTypes.<Bytes, byte[]>keyValueStore()));
            return store.approximateNumEntries();
        } catch (InvalidStateStoreException e) {
            return -1;
        }
    }

    /** Bytes on the broker's disks by topic; empty when the broker does not answer in time. */
    private static Map<String, Long> topicBytes(Admin admin) {
        Map<String, Long> bytes = new HashMap<>();
        try {
            List<Integer> ids = admin.describeCluster().nodes().get(10, TimeUnit.SECONDS).stream().map(Node::id)
                    .toList();
            for (Map<String, LogDirDescription> dirs : admin.describeLogDirs(ids).allDescriptions()
                    .get(10, TimeUnit.SECONDS).values()) {
                for (LogDirDescription d : dirs.values()) {
                    d.replicaInfos().forEach((tp, info) -> bytes.merge(tp.topic(), info.size(), Long::sum));
                }
            }
        } catch (Exception e) {
            // a reading missed is a gap in the table (-1), not a failed soak
        }
        return bytes;
    }

    private static String line(Minute m) {
        return String.format(Locale.ROOT, "%6.2f  %7d  %6.0f  %6.0f  %10.1f  %5.0f  %6.0f  %3d  %7d  %9d  %7d  %12.2f  "
                + "%s", m.minute(), m.samples(), m.p50Ms(), m.p99Ms(), m.heapAfterGcMb(), m.gcMs(), m.rssMb(), m.fds(),
                m.threads(), m.bankRows(), m.pendingRecords(), m.bufferChangelogMb(), m.modelVersion());
    }

    /** Writes the interval table as CSV, one line per interval. */
    static void writeCsv(Path file, List<Minute> rows) throws IOException {
        StringBuilder b = new StringBuilder("minute,samples,e2e_p50_ms,e2e_p99_ms,e2e_max_ms,heap_after_gc_mb,heap_committed_mb,gc_ms,"
                + "rss_mb,fds,threads,bank_rows,bank_image_mb,pending_records,buffer_changelog_mb,bank_topic_mb,"
                + "model_version\n");
        for (Minute m : rows) {
            b.append(String.format(Locale.ROOT, "%.3f,%d,%.0f,%.0f,%.0f,%.1f,%.1f,%.1f,%.1f,%d,%d,%d,%.2f,%d,%.2f,%.2f,%s%n",
                    m.minute(), m.samples(), m.p50Ms(), m.p99Ms(), m.maxMs(), m.heapAfterGcMb(), m.heapCommittedMb(),
                    m.gcMs(), m.rssMb(),
                    m.fds(), m.threads(), m.bankRows(), m.bankImageMb(), m.pendingRecords(), m.bufferChangelogMb(),
                    m.bankTopicMb(), m.modelVersion()));
        }
        Files.writeString(file, b);
    }

    private static void deleteQuietly(Path file, Path dir) {
        try {
            Files.deleteIfExists(file);
            Files.deleteIfExists(file.getParent());
            Files.deleteIfExists(file.getParent().getParent());
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            // a temp file left behind
        }
    }

    /** Sends the sample round and round at the sender's pace, on its own thread, until stopped. */
    private static final class Feeder {
        private final ImageSender sender;
        private final List<LabeledImage> sample;
        private final Thread thread;
        private volatile boolean stopped;

        Feeder(ImageSender sender, List<LabeledImage> sample) {
            this.sender = sender;
            this.sample = sample;
            this.thread = new Thread(this::feed, "hardneg-bench-soak-feeder");
            thread.setDaemon(true);
        }

        void start() {
            thread.start();
        }

        private void feed() {
            for (long i = 0; !stopped; i++) {
                LabeledImage img = sample.get((int) (i % sample.size()));
                sender.send(new LabeledImage("soak" + i + "-" + img.id(), img.label(), img.bytes()));
            }
        }

        void stop() throws InterruptedException {
            stopped = true;
            thread.join(10_000);
            sender.flush();
        }
    }
}
