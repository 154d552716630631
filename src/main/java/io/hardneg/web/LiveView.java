package io.hardneg.web;

import io.hardneg.metrics.PipelineMetrics;
import io.hardneg.mining.LabelBudget;
import io.hardneg.mining.Triplet;
import io.hardneg.mining.TripletKind;
import io.hardneg.model.Device;
import io.hardneg.model.ModelInfo;
import io.hardneg.stream.PipelineObserver;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the live page shows, kept in memory: the latest mined triplets with their images, rolling rates and
 * which class pairs produce hard negatives; written by stream threads, read by HTTP threads.
 *
 * <p>Totals and rates are what {@link PipelineMetrics} already counts, read when the page asks: the stream threads
 * tell this view only of published triplets. Everything is bounded: the ring by count, its images by a byte
 * budget, the pair matrix by a label limit, the rate samples by the window.
 */
public final class LiveView implements PipelineObserver {

    public static final int DEFAULT_CAPACITY = 50;
    public static final long DEFAULT_IMAGE_BUDGET_BYTES = 8L * 1024 * 1024;
    public static final int DEFAULT_MAX_LABELS = 64;
    /** Labels past the limit share this row and column, so a stream of identities cannot grow the matrix. */
    public static final String OTHER = "other";
    static final int WINDOW_S = 10;

    private static final Logger LOG = LoggerFactory.getLogger(LiveView.class);

    /** The three images of a triplet, in URL order. */
    enum Role {
        ANCHOR, POSITIVE, NEGATIVE;

        String wireName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        static Role of(String s) {
            for (Role r : values()) {
                if (r.wireName().equals(s)) {
                    return r;
                }
            }
            return null;
        }
    }

    /** One triplet as the page shows it; {@code images[i]} is null once the byte budget dropped it. */
    record Entry(long seq, long minedAt, Triplet triplet, byte[][] images) {
        long imageBytes() {
            long n = 0;
            for (byte[] b : images) {
                n += b == null ? 0 : b.length;
            }
            return n;
        }
    }

    /** Rates over the last {@value #WINDOW_S} seconds and totals since start. */
    record Stats(double imagesPerS, double hardPerS, double semihardPerS, double deadLettersPerS, long accepted,
                 long embedded, long deadLettered, long hard, long semihard, long rateLimited, String modelName,
                 String modelVersion, String device, List<String> classNames) {
    }

    /** Pair counts: {@code hard[i][j]} triplets of anchor label {@code labels[i]}, negative {@code labels[j]}. */
    record Pairs(List<String> labels, long[][] hard, long[][] semihard) {
    }

    private final int capacity;
    private final long imageBudget;
    private final int maxLabels;
    private final LongSupplier clock;
    private final Supplier<PipelineMetrics.Totals> totals;

    // Guarded by this: every write is a few array updates, so one monitor is cheaper than finer locking.
    private final Deque<Entry> ring = new ArrayDeque<>();
    private long imageBytes;
    private long nextSeq = 1;
    private final Map<String, Integer> labelIndex = new LinkedHashMap<>();
    private final long[][] hardPairs;
    private final long[][] semihardPairs;
    /** The totals as read by the page, oldest first, one a second at most; the first is the rates' base. */
    private final List<Sample> samples = new ArrayList<>();
    private String modelName;
    private String modelVersion;
    private String device;
    private List<String> classNames = List.of();
    private boolean loggedError;
    /** Replaced whole, never written: the page reads it without the monitor. */
    private volatile Map<String, LabelBudget.Entry> budget = Map.of();

    /** Totals read at one instant. */
    private record Sample(long at, PipelineMetrics.Totals totals) {
    }

    /** A view of {@code metrics} and the latest {@value #DEFAULT_CAPACITY} triplets within 8 MiB of images. */
    public LiveView(PipelineMetrics metrics) {
        this(metrics, DEFAULT_CAPACITY, DEFAULT_IMAGE_BUDGET_BYTES, DEFAULT_MAX_LABELS);
    }

    public LiveView(PipelineMetrics metrics, int capacity, long imageBudgetBytes, int maxLabels) {
        this(metrics::totals, capacity, imageBudgetBytes, maxLabels, System::currentTimeMillis);
    }

    /** A view of the totals {@code totals} reads, with the default bounds. */
    LiveView(Supplier<PipelineMetrics.Totals> totals) {
        this(totals, DEFAULT_CAPACITY, DEFAULT_IMAGE_BUDGET_BYTES, DEFAULT_MAX_LABELS, System::currentTimeMillis);
    }

    LiveView(Supplier<PipelineMetrics.Totals> totals, int capacity, long imageBudgetBytes, int maxLabels,
             LongSupplier clock) {
        if (capacity < 1 || imageBudgetBytes < 0 || maxLabels < 1) {
            throw new IllegalArgumentException("expected capacity >= 1, image budget >= 0, max labels >= 1; found "
                    + capacity + ", " + imageBudgetBytes + ", " + maxLabels);
        }
        this.capacity = capacity;
        this.imageBudget = imageBudgetBytes;
        this.maxLabels = maxLabels;
        this.clock = clock;
        this.totals = totals;
        hardPairs = new long[maxLabels + 1][maxLabels + 1];
        semihardPairs = new long[maxLabels + 1][maxLabels + 1];
        samples.add(new Sample(clock.getAsLong(), totals.get()));
    }

    /** Keeps the latest anchor budget for the page, beside the class pairs it is meant to steer. */
    @Override
    public void anchorBudget(Map<String, LabelBudget.Entry> budget) {
        this.budget = Map.copyOf(budget);
    }

    /** The anchor budget by label as last computed; empty while every anchor is mined (share 1). */
    Map<String, LabelBudget.Entry> budget() {
        return budget;
    }

    /** Names the serving model (start-up and every hot reload); its class names label the page's images. */
    @Override
    public void modelSwapped(ModelInfo info, Device device) {
        modelChanged(info, device);
    }

    public synchronized void modelChanged(ModelInfo info, Device device) {
        if (info != null) {
            modelName = info.name();
            modelVersion = info.version();
            classNames = info.classNames();
        }
        if (device != null) {
            this.device = device.name();
        }
    }

    @Override
    public synchronized void mined(List<Triplet> published, int rateLimited) {
        try {
            for (Triplet t : published) {
                add(t);
            }
        } catch (RuntimeException e) {
            failed(e);
        }
    }

    private void add(Triplet t) {
        boolean isHard = t.kind() == TripletKind.HARD;
        int a = labelId(t.anchor().label());
        int n = labelId(t.negative().label());
        (isHard ? hardPairs : semihardPairs)[a][n]++;
        Entry e = new Entry(nextSeq++, clock.getAsLong(), t,
                new byte[][] {t.anchor().image(), t.positive().image(), t.negative().image()});
        ring.addFirst(e);
        imageBytes += e.imageBytes();
        while (ring.size() > capacity) {
            imageBytes -= ring.removeLast().imageBytes();
        }
        // Over budget: the oldest entries lose their images first, the newest (what the page shows on top) keep them.
        Iterator<Entry> oldestFirst = ring.descendingIterator();
        while (imageBytes > imageBudget && oldestFirst.hasNext()) {
            byte[][] images = oldestFirst.next().images();
            for (int i = 0; i < images.length && imageBytes > imageBudget; i++) {
                if (images[i] != null) {
                    imageBytes -= images[i].length;
                    images[i] = null;
                }
            }
        }
    }

    private int labelId(String label) {
        String l = label == null ? OTHER : label;
        Integer id = labelIndex.get(l);
        if (id != null) {
            return id;
        }
        if (labelIndex.size() < maxLabels && !OTHER.equals(l)) {
            labelIndex.put(l, labelIndex.size());
            return labelIndex.size() - 1;
        }
        return maxLabels;
    }

    /** The latest triplets, newest first (a copy: the images arrays are never written after the copy). */
    synchronized List<Entry> latest() {
        List<Entry> out = new ArrayList<>(ring.size());
        for (Entry e : ring) {
            out.add(new Entry(e.seq(), e.minedAt(), e.triplet(), e.images().clone()));
        }
        return out;
    }

    /** The image bytes of one role of triplet {@code seq}, or null when gone or dropped by the budget. */
    synchronized byte[] image(long seq, Role role) {
        for (Entry e : ring) {
            if (e.seq() == seq) {
                return e.images()[role.ordinal()];
            }
        }
        return null;
    }

    synchronized long imageBytes() {
        return imageBytes;
    }

    /**
     * Totals now, and rates since the oldest read of the last {@value #WINDOW_S} seconds (or the newest one before
     * them): the page reads every second or two, so that is the window; after a long quiet, a longer average.
     */
    synchronized Stats stats() {
        long now = clock.getAsLong();
        PipelineMetrics.Totals c = totals.get();
        int last = samples.size() - 1;
        if (last > 0 && Math.floorDiv(samples.get(last).at(), 1000) == Math.floorDiv(now, 1000)) {
            samples.remove(last);
        }
        samples.add(new Sample(now, c));
        while (samples.size() > 1 && samples.get(1).at() <= now - WINDOW_S * 1000L) {
            samples.remove(0);
        }
        Sample base = samples.get(0);
        PipelineMetrics.Totals b = base.totals();
        double span = Math.max(1.0, (now - base.at()) / 1000.0);
        return new Stats(rate(c.embedded(), b.embedded(), span), rate(c.hard(), b.hard(), span),
                rate(c.semihard(), b.semihard(), span), rate(c.deadLettered(), b.deadLettered(), span), c.accepted(),
                c.embedded(), c.deadLettered(), c.hard(), c.semihard(), c.rateLimited(), modelName,
                c.modelVersion() != null ? c.modelVersion() : modelVersion, c.device() != null ? c.device() : device,
                classNames);
    }

    private static double rate(long now, long then, double seconds) {
        return Math.max(0, now - then) / seconds;
    }

    /** The pair matrices, labels sorted numerically when they are all numbers, else alphabetically. */
    synchronized Pairs pairs() {
        List<Map.Entry<String, Integer>> labels = new ArrayList<>(labelIndex.entrySet());
        boolean numeric = labels.stream().allMatch(e -> e.getKey().matches("-?\\d{1,9}"));
        labels.sort(numeric ? Comparator.comparingInt(e -> Integer.parseInt(e.getKey()))
                : Map.Entry.comparingByKey());
        boolean otherUsed = false;
        for (int i = 0; i <= maxLabels && !otherUsed; i++) {
            otherUsed = hardPairs[i][maxLabels] + hardPairs[maxLabels][i] + semihardPairs[i][maxLabels]
                    + semihardPairs[maxLabels][i] > 0;
        }
        List<String> names = new ArrayList<>();
        List<Integer> ids = new ArrayList<>();
        for (Map.Entry<String, Integer> e : labels) {
            names.add(e.getKey());
            ids.add(e.getValue());
        }
        if (otherUsed) {
            names.add(OTHER);
            ids.add(maxLabels);
        }
        return new Pairs(List.copyOf(names), project(hardPairs, ids), project(semihardPairs, ids));
    }

    private static long[][] project(long[][] m, List<Integer> ids) {
        long[][] out = new long[ids.size()][ids.size()];
        for (int i = 0; i < ids.size(); i++) {
            for (int j = 0; j < ids.size(); j++) {
                out[i][j] = m[ids.get(i)][ids.get(j)];
            }
        }
        return out;
    }

    private void failed(RuntimeException e) {
        if (!loggedError) {
            loggedError = true;
            LOG.warn("live view failed to record an event (logged once)", e);
        }
    }
}
