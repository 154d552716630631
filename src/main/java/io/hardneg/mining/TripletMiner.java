package io.hardneg.mining;

import io.hardneg.config.PositiveRule;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Mines triplets for a batch of anchors against the memory bank, exactly: every bank entry of the anchor's
 * model version is compared, none of another version ever is.
 *
 * <p>Two passes per block of {@value #BLOCK} anchors, sorted by label. The positives come from the anchor's own
 * label's rows only (a gathered kernel call per label). The negatives come from one pass over the whole bank
 * that never writes a distance matrix: the kernel reports only rows of another label within the anchor's bound
 * (d(a,p) + α, tightened to the worst kept negative once the caps fill), so nearly every row costs one vector
 * comparison. A large batch against a large bank is split into contiguous block ranges run on the caller and a
 * small shared pool, one per core; a thread done with its range takes blocks from the back of the others'. Each
 * anchor's result depends only on the anchor and the bank, so neither the split nor the order rows are visited in
 * ever changes a decision. Not thread-safe (it reuses its buffers): one per stream task.
 *
 * <p>The rules ({@link MiningRules}) choose the positives (farthest, nearest, random) and the negatives (hardest,
 * or a weighted draw, {@link NegativeSampling}); every random choice is a function of the anchor, its version and
 * the candidate ({@link RecordRandom}), so it holds across replays, instances, batches and threads. With a
 * {@link LabelBudget}, only a share of the labeled anchors yields triplets; the others are still judged by the
 * detector.
 */
public final class TripletMiner {

    /** Anchors per kernel pass: each bank row is read once per block. */
    static final int BLOCK = 32;
    /** Below this many anchor × row pairs, handing work to another thread costs more than it saves. */
    static final long PARALLEL_MIN_PAIRS = 1L << 20;

    private final MiningRules rules;
    private final Distances distances;
    private final int parallelism;
    /** Which anchors yield triplets; null: all of them. */
    private final LabelBudget budget;
    /** Whether any choice is drawn, so anchors and candidates are hashed; off on the original rule's path. */
    private final boolean draws;
    private final Scratch[] scratch;
    /** The bank's rows grouped by label (ascending within a label), rebuilt per batch. */
    private int[] groupStart = new int[0];
    private int[] groupedRows = new int[0];

    public TripletMiner(MiningRules rules, Distances distances) {
        this(rules, distances, Runtime.getRuntime().availableProcessors());
    }

    /** {@code parallelism} threads at most (the caller included) mine one batch; 1 keeps it on the caller. */
    public TripletMiner(MiningRules rules, Distances distances, int parallelism) {
        this(rules, distances, parallelism, null);
    }

    /**
     * As above, with {@code budget} (null: none) choosing which labeled anchors yield triplets; it may be shared by
     * the miners of one bank.
     */
    public TripletMiner(MiningRules rules, Distances distances, int parallelism, LabelBudget budget) {
        if (parallelism < 1) {
            throw new IllegalArgumentException("parallelism must be >= 1, found " + parallelism);
        }
        this.rules = rules;
        this.distances = distances;
        this.parallelism = parallelism;
        this.budget = budget;
        this.draws = rules.positive() == PositiveRule.RANDOM || !rules.negative().hardest();
        this.scratch = new Scratch[parallelism];
        for (int i = 0; i < parallelism; i++) {
            scratch[i] = new Scratch();
        }
    }

    public MiningRules rules() {
        return rules;
    }

    /** Triplets for each anchor, in anchor order; unlabeled anchors get none. */
    public List<List<Triplet>> mine(MemoryBank bank, List<EmbeddedImage> anchors) {
        return mine(bank, anchors, null).triplets();
    }

    /**
     * What one pass over the bank yields for each anchor, in anchor order.
     *
     * @param suspects each anchor's verdict from the detector, or null (all null when no detector was given)
     */
    public record Mined(List<List<Triplet>> triplets, List<MislabelDetector.Suspicion> suspects) {
    }

    /**
     * Triplets and, when {@code detector} is not null, its verdicts, from one pass over the bank: the detector's
     * positives come from the miner's same-label distances and its negatives from the same bounded scan (the
     * limit is the larger of the two), so the bank's distances are computed once per batch instead of twice. The
     * verdicts are those of {@link MislabelDetector#detect}.
     */
    /**
     * Nanoseconds spent in the detector's verdicts so far, over every worker: the part of a pass that is suspect
     * detection's alone (the scan that feeds it is shared with mining). Read between passes. It is wall time, from
     * a clock that costs tens of nanoseconds, on threads that do not block while judging.
     */
    public long detectorNanos() {
        long sum = 0;
        for (Scratch sc : scratch) {
            sum += sc.judgeNanos;
        }
        return sum;
    }

    public Mined mine(MemoryBank bank, List<EmbeddedImage> anchors, MislabelDetector detector) {
        return bank.read(view -> mine(view, anchors, detector));
    }

    private Mined mine(MemoryBank.View view, List<EmbeddedImage> anchors, MislabelDetector detector) {
        int n = anchors.size();
        int rows = view.rows();
        int dim = view.dim();
        @SuppressWarnings("unchecked")
        List<Triplet>[] found = new List[n];
        Arrays.fill(found, List.of());
        MislabelDetector.Suspicion[] suspects = new MislabelDetector.Suspicion[n];
        Mined result = new Mined(Arrays.asList(found), Arrays.asList(suspects));
        if (rows == 0 || n == 0) {
            return result;
        }
        for (EmbeddedImage a : anchors) {
            if (a.embedding().length != dim) {
                throw new IllegalArgumentException("anchor " + a.id() + " has dimension " + a.embedding().length
                        + ", bank holds " + dim);
            }
        }
        // Only labeled anchors whose label and version the bank holds can have a positive; sorted by label so
        // that a block's anchors share few labels and the positives pass reads few rows.
        // An anchor the budget passes over yields no triplet; it is mined only for the detector's verdict.
        double[] share = budget == null ? null : budget.probabilities(view, n);
        boolean[] passed = share == null ? null : new boolean[n];
        long[] keyed = new long[n];
        int m = 0;
        for (int i = 0; i < n; i++) {
            EmbeddedImage a = anchors.get(i);
            if (a.label() == null || view.labelIdOf(a.label()) < 0 || view.versionIdOf(a.modelVersion()) < 0) {
                continue;
            }
            int label = view.labelIdOf(a.label());
            if (share != null && label < share.length
                    && !(RecordRandom.anchorDraw(a.id(), a.modelVersion()) < share[label])) {
                if (detector == null) {
                    continue;
                }
                passed[i] = true;
            }
            keyed[m++] = ((long) label << 32) | i;
        }
        if (m == 0) {
            return result;
        }
        Arrays.sort(keyed, 0, m);
        int[] order = new int[m];
        for (int i = 0; i < m; i++) {
            order[i] = (int) keyed[i];
        }
        groupByLabel(view);
        int blocks = (m + BLOCK - 1) / BLOCK;
        int workers = (long) m * rows >= PARALLEL_MIN_PAIRS ? Math.min(parallelism, blocks) : 1;
        if (workers == 1) {
            mineRange(view, anchors, order, 0, m, scratch[0], detector, passed, found, suspects);
            return result;
        }
        // Whole blocks per worker, as even as they go; each walks its own range from the front and, once it is
        // done, takes blocks from the back of the others' ranges: blocks differ in cost (anchors the budget passed
        // over, labels with more rows), and a fixed split left one thread waiting for the other.
        BlockRanges ranges = new BlockRanges(blocks, workers);
        int total = m;
        List<Future<?>> pending = new ArrayList<>(workers - 1);
        for (int w = 1; w < workers; w++) {
            Scratch sc = scratch[w];
            int self = w;
            pending.add(MiningPool.INSTANCE.submit(() -> mineBlocks(view, anchors, order, total, ranges, self, sc,
                    detector, passed, found, suspects)));
        }
        mineBlocks(view, anchors, order, m, ranges, 0, scratch[0], detector, passed, found, suspects);
        for (Future<?> f : pending) {
            try {
                f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while mining", e);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof RuntimeException re) {
                    throw re;
                }
                throw new IllegalStateException("mining worker failed", e.getCause());
            }
        }
        return result;
    }

    /** A counting sort of the occupied rows by label id: label l's rows are groupedRows[groupStart[l] ..]. */
    private void groupByLabel(MemoryBank.View view) {
        int[] ids = view.labelIds();
        int rows = view.rows();
        int labels = 0;
        for (int r = 0; r < rows; r++) {
            labels = Math.max(labels, ids[r] + 1);
        }
        if (groupStart.length < labels + 2) {
            groupStart = new int[labels + 2];
        }
        Arrays.fill(groupStart, 0);
        int occupied = 0;
        for (int r = 0; r < rows; r++) {
            if (ids[r] >= 0) {
                groupStart[ids[r] + 2]++;
                occupied++;
            }
        }
        for (int l = 2; l < groupStart.length; l++) {
            groupStart[l] += groupStart[l - 1];
        }
        if (groupedRows.length < occupied) {
            groupedRows = new int[occupied];
        }
        // groupStart[l + 1] serves as label l's write cursor and ends as its end, i.e. label l + 1's start.
        for (int r = 0; r < rows; r++) {
            if (ids[r] >= 0) {
                groupedRows[groupStart[ids[r] + 1]++] = r;
            }
        }
    }

    private int groupFrom(int label) {
        return label + 1 < groupStart.length ? groupStart[label] : 0;
    }

    private int groupCount(int label) {
        return label + 1 < groupStart.length ? groupStart[label + 1] - groupStart[label] : 0;
    }

    /** Mines worker {@code self}'s blocks of {@code order[0, m)} front first, then what is left of the others'. */
    private void mineBlocks(MemoryBank.View view, List<EmbeddedImage> anchors, int[] order, int m, BlockRanges ranges,
                            int self, Scratch sc, MislabelDetector detector, boolean[] passed, List<Triplet>[] found,
                            MislabelDetector.Suspicion[] suspects) {
        for (int k = 0; k < ranges.count(); k++) {
            int range = (self + k) % ranges.count();
            for (int b = ranges.take(range, k == 0); b >= 0; b = ranges.take(range, k == 0)) {
                int from = b * BLOCK;
                mineRange(view, anchors, order, from, Math.min(m, from + BLOCK), sc, detector, passed, found,
                        suspects);
            }
        }
    }

    private void mineRange(MemoryBank.View view, List<EmbeddedImage> anchors, int[] order, int from, int to,
                           Scratch sc, MislabelDetector detector, boolean[] passed, List<Triplet>[] found,
                           MislabelDetector.Suspicion[] suspects) {
        int rows = view.rows();
        int dim = view.dim();
        sc.ensure(dim, detector);
        sc.view = view;
        for (int b = from; b < to; b += BLOCK) {
            int m = Math.min(BLOCK, to - b);
            for (int i = 0; i < m; i++) {
                EmbeddedImage a = anchors.get(order[b + i]);
                System.arraycopy(a.embedding(), 0, sc.queries, i * dim, dim);
                sc.slots[i].reset(a, view.labelIdOf(a.label()), view.versionIdOf(a.modelVersion()), dim,
                        detector != null, passed == null || !passed[order[b + i]]);
            }
            // Pass 1: each run of same-label anchors against its label's rows.
            for (int i = 0; i < m; ) {
                int label = sc.slots[i].label;
                int j = i + 1;
                while (j < m && sc.slots[j].label == label) {
                    j++;
                }
                int count = groupCount(label);
                int g = j - i;
                if (count > 0) {
                    float[] d = sc.groupDistances(g * count);
                    System.arraycopy(sc.queries, i * dim, sc.groupQueries, 0, g * dim);
                    distances.squaredL2(sc.groupQueries, g, view.vectors(), groupedRows, groupFrom(label), count,
                            dim, d);
                    for (int k = 0; k < g; k++) {
                        sc.slots[i + k].takePositives(view, groupedRows, groupFrom(label), count, d, k * count);
                    }
                }
                i = j;
            }
            // Pass 2: negatives, one bounded scan of the whole bank for the block.
            // An anchor without a positive has no triplet and no verdict (the detector needs a positive too).
            boolean any = false;
            for (int i = 0; i < m; i++) {
                AnchorSelection s = sc.slots[i];
                sc.limits[i] = s.nPos == 0 ? -1f : s.limit();
                sc.tags[i] = s.label;
                any |= s.nPos > 0;
            }
            if (any) {
                distances.scanWithin(sc.queries, m, view.vectors(), rows, dim, sc.limits, sc.tags, view.labelIds(),
                        sc);
            }
            for (int i = 0; i < m; i++) {
                AnchorSelection s = sc.slots[i];
                if (s.search != null && s.nPos > 0) {
                    long j0 = System.nanoTime();
                    suspects[order[b + i]] = detector.judge(view, s.anchor, s.search);
                    sc.judgeNanos += System.nanoTime() - j0;
                }
                found[order[b + i]] = s.triplets(view);
            }
        }
        sc.view = null;
    }

    /** A worker's reused buffers and its block's anchors; receives the negatives scan's hits. */
    private final class Scratch implements Distances.Hits {
        float[] queries = new float[0];
        float[] groupQueries = new float[0];
        private float[] groupDistances = new float[0];
        final float[] limits = new float[BLOCK];
        final int[] tags = new int[BLOCK];
        final AnchorSelection[] slots = new AnchorSelection[BLOCK];
        MemoryBank.View view;
        /** Wall time in the detector's verdicts, summed; read by {@link #detectorNanos} once the workers joined. */
        long judgeNanos;
        /** The detector the slots' searches were made for. */
        private MislabelDetector detector;

        Scratch() {
            for (int i = 0; i < BLOCK; i++) {
                slots[i] = new AnchorSelection(rules, draws);
            }
        }

        void ensure(int dim, MislabelDetector detector) {
            if (queries.length < BLOCK * dim) {
                queries = new float[BLOCK * dim];
                groupQueries = new float[BLOCK * dim];
            }
            if (detector != null && detector != this.detector) {
                for (AnchorSelection s : slots) {
                    s.searchBuffer = detector.newSearch();
                }
                this.detector = detector;
            }
        }

        float[] groupDistances(int size) {
            if (groupDistances.length < size) {
                groupDistances = new float[size];
            }
            return groupDistances;
        }

        @Override
        public float near(int query, int row, float distance) {
            AnchorSelection s = slots[query];
            float bound = s.offerNegative(view, row, distance);
            return s.search == null ? bound : Math.max(bound, s.search.offerNegative(view, row, distance));
        }
    }

    /** Daemon threads, one per core beyond the caller's, shared by every miner in the JVM. */
    private static final class MiningPool {
        static final ExecutorService INSTANCE = Executors.newFixedThreadPool(
                Math.max(1, Runtime.getRuntime().availableProcessors() - 1), r -> {
                    Thread t = new Thread(r, "hardneg-mining");
                    t.setDaemon(true);
                    return t;
                });
    }
}
