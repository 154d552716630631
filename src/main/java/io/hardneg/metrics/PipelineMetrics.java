package io.hardneg.metrics;

import io.hardneg.error.ErrorCode;
import io.hardneg.mining.LabelBudget;
import io.hardneg.mining.MemoryBank;
import io.hardneg.mining.Triplet;
import io.hardneg.mining.TripletKind;
import io.hardneg.model.Device;
import io.hardneg.model.ModelInfo;
import io.hardneg.stream.PipelineObserver;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pipeline's Micrometer meters ({@code hardneg.*}): every observer event becomes a counter, timer or
 * distribution summary, and the memory bank and the serving model are exposed as gauges.
 *
 * <p>Every tag value comes from a closed set (error codes, triplet kinds, gap ranges, model versions), so the
 * series count stays bounded whatever the images are. No method throws: a failure is logged once and counted
 * in {@code hardneg.metrics.errors}.
 *
 * <p>About 400 lines, one registration and one event method per meter: split by meter family, the names the
 * dashboard and the alerts read would be spread over several classes.
 */
public final class PipelineMetrics implements PipelineObserver, AutoCloseable {

    static final String NONE = "none";
    static final String UNKNOWN = "unknown";
    /** Upper bounds of the gap ranges of {@code hardneg.triplet.gap.range}; the last range is open. */
    static final double[] GAP_BOUNDS = {-1, -0.5, -0.2, -0.1, 0, 0.05, 0.1, 0.15, 0.2};
    /** The bank is scanned under its read lock, so the per-version gauges are refreshed, not read per scrape. */
    static final long BANK_REFRESH_SECONDS = 5;

    private static final Logger LOG = LoggerFactory.getLogger(PipelineMetrics.class);

    private final Counter accepted;
    private final Map<ErrorCode, Counter> rejectedImages = new EnumMap<>(ErrorCode.class);
    private final Map<ErrorCode, Counter> deadLetters = new EnumMap<>(ErrorCode.class);
    private final Timer decodeLatency;
    private final Timer inferenceLatency;
    private final Timer miningLatency;
    private final DistributionSummary batchSize;
    private final Counter embedded;
    private final Timer e2eLatency;
    private final Map<TripletKind, Counter> mined = new EnumMap<>(TripletKind.class);
    private final Counter rateLimited;
    private final Counter suspected;
    private final Counter duplicates;
    private final Counter nearDuplicates;
    private final Map<String, Counter> throttled = new java.util.HashMap<>();
    private volatile double backpressureLag;
    private volatile double backpressureFactor = 1.0;
    private final DistributionSummary loss;
    private final Counter[] gapRanges;
    private final Counter errors;
    private final BankAndModelGauges gauges;
    private final MultiGauge anchorBudget;
    private final MultiGauge labelPurity;
    private final ScheduledExecutorService refresher;

    private final MeterRegistry registry;
    private volatile boolean loggedError;

    /** Registers every {@code hardneg.*} meter on {@code registry}; call {@link #bindBank} once the bank exists. */
    public PipelineMetrics(MeterRegistry registry) {
        this.registry = Objects.requireNonNull(registry, "registry");
        accepted = Counter.builder("hardneg.images").description("Images read from the input topic, by outcome")
                .tags("outcome", "accepted", "code", NONE).register(registry);
        for (ErrorCode code : ErrorCode.values()) {
            // Registered up front so that a dashboard shows zero, not "no data", for codes not seen yet.
            String c = code.name();
            rejectedImages.put(code, Counter.builder("hardneg.images")
                    .description("Images read from the input topic, by outcome")
                    .tags("outcome", "dead_lettered", "code", c).register(registry));
            deadLetters.put(code, Counter.builder("hardneg.dead.letters")
                    .description("Records written to the dead-letter topic, by error code").tag("code", c)
                    .register(registry));
        }
        decodeLatency = Timer.builder("hardneg.decode.latency").description("Decoding and preprocessing one image")
                .register(registry);
        inferenceLatency = Timer.builder("hardneg.inference.latency").description("One ONNX Runtime batch")
                .publishPercentileHistogram().register(registry);
        miningLatency = Timer.builder("hardneg.mining.latency")
                .description("Mining and suspect detection of one batch against the memory bank")
                .publishPercentileHistogram().register(registry);
        batchSize = DistributionSummary.builder("hardneg.inference.batch.size")
                .description("Images per inference batch").baseUnit("images").register(registry);
        embedded = Counter.builder("hardneg.embedded").description("Images embedded").baseUnit("images")
                .register(registry);
        e2eLatency = Timer.builder("hardneg.e2e.latency")
                .description("From the input record's timestamp to its embedding")
                .publishPercentileHistogram()
                // A backlog makes this minutes, not milliseconds; the default histogram stops at 30 s.
                .maximumExpectedValue(Duration.ofMinutes(10))
                .register(registry);
        for (TripletKind kind : List.of(TripletKind.HARD, TripletKind.SEMIHARD)) {
            mined.put(kind, Counter.builder("hardneg.triplets.mined").description("Triplets published, by kind")
                    .tag("kind", kind.wireName()).register(registry));
        }
        rateLimited = Counter.builder("hardneg.triplets.rate.limited")
                .description("Triplets mined but dropped by the per-label rate limit").register(registry);
        suspected = Counter.builder("hardneg.suspect.labels")
                .description("Anchors routed to suspect-labels instead of being mined").register(registry);
        String skipped = "Duplicates skipped: exact = images not mined, near = triplets not published";
        duplicates = Counter.builder("hardneg.duplicates.skipped").description(skipped)
                .tag("kind", "exact").register(registry);
        nearDuplicates = Counter.builder("hardneg.duplicates.skipped").description(skipped)
                .tag("kind", "near").register(registry);
        for (String reason : List.of("window_cap", "backpressure", "rate")) {
            throttled.put(reason, Counter.builder("hardneg.triplets.throttled")
                    .description("Triplets held back by a per-label quota, by reason").tag("reason", reason)
                    .register(registry));
        }
        Gauge.builder("hardneg.backpressure.lag", this, m -> m.backpressureLag)
                .description("Records the slowest consumer group of hard-negatives is behind").baseUnit("records")
                .register(registry);
        Gauge.builder("hardneg.backpressure.factor", this, m -> m.backpressureFactor)
                .description("Share of triplets published under backpressure (1 = unthrottled)").register(registry);
        // Hard triplets have negative gaps, and Micrometer summaries drop negative values, refuse buckets <= 0
        // and count fractional values into whole-number buckets. So the gap's distribution is a counter per fixed
        // range, and the summary records the triplet loss alpha - gap = d(a,p) - d(a,n) + alpha (> 0 for every
        // published triplet; its mean is sum/count, the mean gap is alpha minus that).
        loss = DistributionSummary.builder("hardneg.triplet.loss")
                .description("Triplet margin loss d(a,p) - d(a,n) + alpha of published triplets").register(registry);
        gapRanges = new Counter[GAP_BOUNDS.length + 1];
        for (int i = 0; i < gapRanges.length; i++) {
            gapRanges[i] = Counter.builder("hardneg.triplet.gap.range")
                    .description("Published triplets by gap range [lower, upper)")
                    .tag("range", rangeLabel(i)).register(registry);
        }
        errors = Counter.builder("hardneg.metrics.errors").description("Failures inside instrumentation")
                .register(registry);
        gauges = new BankAndModelGauges(registry);
        anchorBudget = MultiGauge.builder("hardneg.mining.anchor.budget")
                .description("Probability that a labeled anchor of this label yields triplets (mining.anchor-share)")
                .register(registry);
        labelPurity = MultiGauge.builder("hardneg.mining.label.purity")
                .description("Share of same-label rows among the k nearest bank rows of this label's sampled rows")
                .register(registry);
        refresher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "hardneg-metrics-refresh");
            t.setDaemon(true);
            return t;
        });
        refresher.scheduleWithFixedDelay(this::refreshBank, BANK_REFRESH_SECONDS, BANK_REFRESH_SECONDS,
                TimeUnit.SECONDS);
    }

    /** The bank behind the bank gauges; the supplier may return null until the global store is up. */
    public void bindBank(Supplier<MemoryBank> bank) {
        gauges.bindBank(bank);
        refreshBank();
    }

    /** Points {@code hardneg.model.info} at a newly loaded model (start-up and every hot reload). */
    public void modelChanged(ModelInfo info, Device device) {
        try {
            gauges.modelChanged(info.name(), info.version(), device.name());
        } catch (RuntimeException e) {
            failed(e);
        }
    }

    @Override
    public void modelSwapped(ModelInfo info, Device device) {
        modelChanged(info, device);
    }

    /** Counts a refused model update by its (bounded) reason: hash, signature, load, shape, probe, fetch, … */
    @Override
    public void modelRefused(String reason) {
        try {
            Counter.builder("hardneg.model.updates.refused").description("Model updates refused, by reason")
                    .tag("reason", reason).register(registry).increment();
        } catch (RuntimeException e) {
            failed(e);
        }
    }

    /** Re-reads the bank's per-version sizes now; also done every {@value #BANK_REFRESH_SECONDS} seconds. */
    public void refreshBank() {
        try {
            gauges.refreshBank();
        } catch (RuntimeException e) {
            failed(e);
        }
    }

    @Override
    public void accepted(boolean labeled) {
        try {
            accepted.increment();
        } catch (RuntimeException e) {
            failed(e);
        }
    }

    @Override
    public void deadLettered(ErrorCode code) {
        try {
            rejectedImages.get(code).increment();
            deadLetters.get(code).increment();
        } catch (RuntimeException e) {
            failed(e);
        }
    }

    @Override
    public void batchMined(int anchors, long nanos) {
        try {
            miningLatency.record(nanos, TimeUnit.NANOSECONDS);
        } catch (RuntimeException e) {
            failed(e);
        }
    }

    @Override
    public void decoded(long nanos) {
        try {
            decodeLatency.record(nanos, TimeUnit.NANOSECONDS);
        } catch (RuntimeException e) {
            failed(e);
        }
    }

    @Override
    public void batchEmbedded(int size, long inferenceNanos, String modelVersion, String device) {
        try {
            inferenceLatency.record(inferenceNanos, TimeUnit.NANOSECONDS);
            batchSize.record(size);
            gauges.served(modelVersion, device);
        } catch (RuntimeException e) {
            failed(e);
        }
    }

    @Override
    public void embedded(long eventTimestamp) {
        try {
            embedded.increment();
            // Producer clocks may run ahead of ours; a negative latency is clock skew, recorded as zero.
            e2eLatency.record(Math.max(0, System.currentTimeMillis() - eventTimestamp), TimeUnit.MILLISECONDS);
        } catch (RuntimeException e) {
            failed(e);
        }
    }

    @Override
    public void mined(List<Triplet> published, int rateLimited) {
        try {
            for (Triplet t : published) {
                Counter c = mined.get(t.kind());
                if (c != null) {
                    c.increment();
                }
                float g = t.gap();
                gapRanges[rangeIndex(g)].increment();
                loss.record(Math.max(0.0, (double) t.alpha() - g));
            }
            if (rateLimited > 0) {
                this.rateLimited.increment(rateLimited);
            }
        } catch (RuntimeException e) {
            failed(e);
        }
    }

    /**
     * Points the budget gauges at a newly computed anchor budget. The label tag is bounded by the bank: it holds a
     * label only while it holds one of its rows, and a label gone from the bank is dropped from the gauges.
     */
    @Override
    public void anchorBudget(Map<String, LabelBudget.Entry> budget) {
        try {
            List<MultiGauge.Row<?>> p = new ArrayList<>();
            List<MultiGauge.Row<?>> purity = new ArrayList<>();
            budget.forEach((label, e) -> {
                p.add(MultiGauge.Row.of(Tags.of("label", label), e.probability()));
                purity.add(MultiGauge.Row.of(Tags.of("label", label), e.purity()));
            });
            anchorBudget.register(p, true);
            labelPurity.register(purity, true);
        } catch (RuntimeException e) {
            failed(e);
        }
    }

    @Override
    public void suspected(String givenLabel, String suggestedLabel) {
        try {
            suspected.increment();
        } catch (RuntimeException e) {
            failed(e);
        }
    }

    @Override
    public void duplicateSkipped() {
        try {
            duplicates.increment();
        } catch (RuntimeException e) {
            failed(e);
        }
    }

    @Override
    public void nearDuplicateSkipped() {
        try {
            nearDuplicates.increment();
        } catch (RuntimeException e) {
            failed(e);
        }
    }

    @Override
    public void throttled(String reason) {
        try {
            Counter c = throttled.get(reason);
            if (c != null) {
                c.increment();
            }
        } catch (RuntimeException e) {
            failed(e);
        }
    }

    @Override
    public void backpressure(long lag, double factor) {
        backpressureLag = lag;
        backpressureFactor = factor;
    }

    /** What the counters hold now, for the live page; never throws (a failure reads as what was counted before). */
    public Totals totals() {
        try {
            long dead = 0;
            for (Counter c : deadLetters.values()) {
                dead += (long) c.count();
            }
            return new Totals((long) accepted.count(), (long) embedded.count(), dead,
                    (long) mined.get(TripletKind.HARD).count(), (long) mined.get(TripletKind.SEMIHARD).count(),
                    (long) rateLimited.count(), gauges.modelVersion(), gauges.deviceName());
        } catch (RuntimeException e) {
            failed(e);
            return Totals.NONE;
        }
    }

    /**
     * Totals since start: images accepted, embedded and dead-lettered, hard and semi-hard triplets published,
     * triplets dropped by the rate limit; and the model version and device of the last batch (null before one).
     */
    public record Totals(long accepted, long embedded, long deadLettered, long hard, long semihard, long rateLimited,
                         String modelVersion, String device) {
        /** Nothing counted yet. */
        public static final Totals NONE = new Totals(0, 0, 0, 0, 0, 0, null, null);
    }

    /** Stops the bank refresher; the meters stay registered (they belong to the registry). */
    @Override
    public void close() {
        refresher.shutdownNow();
    }

    static int rangeIndex(double gap) {
        for (int i = 0; i < GAP_BOUNDS.length; i++) {
            if (gap < GAP_BOUNDS[i]) {
                return i;
            }
        }
        return GAP_BOUNDS.length;
    }

    /** {@code [-4,-1)}, {@code [-1,-0.5)}, …, {@code [0.2,4]}: squared L2 on unit vectors keeps gaps in [-4, 4]. */
    static String rangeLabel(int i) {
        String lower = i == 0 ? "-4" : fmt(GAP_BOUNDS[i - 1]);
        return i == GAP_BOUNDS.length ? "[" + lower + ",4]" : "[" + lower + "," + fmt(GAP_BOUNDS[i]) + ")";
    }

    private static String fmt(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }

    private void failed(RuntimeException e) {
        try {
            errors.increment();
        } catch (RuntimeException ignored) {
            // Nothing left to tell.
        }
        if (!loggedError) {
            loggedError = true;
            LOG.warn("metrics instrumentation failed (counted in hardneg.metrics.errors, logged once)", e);
        }
    }
}
