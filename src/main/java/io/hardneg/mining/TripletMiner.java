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
 * small shared pool, one per core. Each anchor's result depends only on the anchor and the bank, so neither the
 * split nor the order rows are visited in ever changes a decision. Not thread-safe (it reuses its buffers): one
 * per stream task.
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
        // Whole blocks per worker, as even as they go; the caller takes the first range itself.
        List<Future<?>> pending = new ArrayList<>(workers - 1);
        int perWorker = (blocks + workers - 1) / workers * BLOCK;
        for (int w = 1; w < workers; w++) {
            int from = w * perWorker;
            int to = Math.min(m, from + perWorker);
            if (from >= to) {
                break;
            }
            Scratch sc = scratch[w];
            pending.add(MiningPool.INSTANCE.submit(() -> mineRange(view, anchors, order, from, to, sc, detector, passed,
                    found, suspects)));
        }
        mineRange(view, anchors, order, 0, Math.min(m, perWorker), scratch[0], detector, passed, found, suspects);
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
                Slot s = sc.slots[i];
                sc.limits[i] = s.nPos == 0 ? -1f : s.limit();
                sc.tags[i] = s.label;
                any |= s.nPos > 0;
            }
            if (any) {
                distances.scanWithin(sc.queries, m, view.vectors(), rows, dim, sc.limits, sc.tags, view.labelIds(),
                        sc);
            }
            for (int i = 0; i < m; i++) {
                Slot s = sc.slots[i];
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
        final Slot[] slots = new Slot[BLOCK];
        MemoryBank.View view;
        /** Wall time in the detector's verdicts, summed; read by {@link #detectorNanos} once the workers joined. */
        long judgeNanos;
        /** The detector the slots' searches were made for. */
        private MislabelDetector detector;

        Scratch() {
            for (int i = 0; i < BLOCK; i++) {
                slots[i] = new Slot();
            }
        }

        void ensure(int dim, MislabelDetector detector) {
            if (queries.length < BLOCK * dim) {
                queries = new float[BLOCK * dim];
                groupQueries = new float[BLOCK * dim];
            }
            if (detector != null && detector != this.detector) {
                for (Slot s : slots) {
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
            Slot s = slots[query];
            float bound = s.offerNegative(view, row, distance);
            return s.search == null ? bound : Math.max(bound, s.search.offerNegative(view, row, distance));
        }
    }

    /**
     * One anchor's selection: its positives by the positive rule and, per positive, its negatives by the negative
     * rule (the hardest, or a Gumbel-top-k draw).
     */
    private final class Slot {
        final int[] posRows = new int[rules.positivesPerAnchor()];
        final float[] posD = new float[rules.positivesPerAnchor()];
        /** The positives' order key, larger first: −d for nearest, the draw for random (farthest uses posD). */
        final double[] posKey = new double[rules.positivesPerAnchor()];
        final long[][] best;
        /** For a drawn negative rule: per positive, the kept candidates' scores (descending), rows and distances. */
        final double[][] scores;
        final int[][] drawnRows;
        final float[][] drawnD;
        final int[] taken = new int[rules.positivesPerAnchor()];
        EmbeddedImage anchor;
        int label;
        int version;
        int dim;
        int nPos;
        float maxDap;
        float bound;
        /** False when the budget passed the anchor over: it is scanned for the detector only. */
        boolean chosen;
        /** The hash of the anchor's id and version, the prefix of its draws ({@link RecordRandom}). */
        long anchorHash;
        /** The detector's search for this anchor, fed by the same passes; null when no detector runs. */
        MislabelDetector.Search search;
        MislabelDetector.Search searchBuffer;

        Slot() {
            int p = rules.positivesPerAnchor();
            int k = rules.negativesPerPositive();
            boolean hardest = rules.negative().hardest();
            best = hardest ? new long[p][k] : null;
            scores = hardest ? null : new double[p][k];
            drawnRows = hardest ? null : new int[p][k];
            drawnD = hardest ? null : new float[p][k];
        }

        void reset(EmbeddedImage a, int label, int version, int dim, boolean detect, boolean chosen) {
            this.anchor = a;
            this.label = label;
            this.version = version;
            this.dim = dim;
            this.chosen = chosen;
            this.nPos = 0;
            Arrays.fill(taken, 0);
            if (draws) {
                anchorHash = RecordRandom.anchor(a.id(), a.modelVersion());
            }
            search = detect ? searchBuffer.reset(a.id(), label, version) : null;
        }

        /** The negatives scan's limit: a row beyond it can change neither the triplets nor the verdict. */
        float limit() {
            return search == null ? bound : Math.max(bound, search.negativeLimit());
        }

        /** Keeps the positives the rule ranks first among the eligible rows (rows ascend: earlier first on ties). */
        void takePositives(MemoryBank.View view, int[] rows, int from, int count, float[] d, int base) {
            if (rules.positive() == PositiveRule.FARTHEST) {
                takeFarthest(view, rows, from, count, d, base);
            } else {
                takeRanked(view, rows, from, count, d, base);
            }
            float max = 0f;
            for (int i = 0; i < nPos; i++) {
                max = Math.max(max, posD[i]);
            }
            maxDap = max;
            // Only negatives with d_an − max d_ap < α can qualify (same float arithmetic as the gap itself). An
            // anchor the budget passed over keeps no negative: only the detector's limit counts.
            bound = chosen ? Math.nextUp(maxDap + rules.alpha()) : -1f;
        }

        /** The original rule's loop: the p farthest, farthest first. */
        private void takeFarthest(MemoryBank.View view, int[] rows, int from, int count, float[] d, int base) {
            int p = posD.length;
            String id = anchor.id();
            for (int j = 0; j < count; j++) {
                int r = rows[from + j];
                float dist = d[base + j];
                if (search != null) {
                    search.offerPositive(view, r, dist);
                }
                // The distance test first: it rejects nearly every row once the p farthest are known, without
                // touching the row's version and id (cache misses across the bank).
                if ((nPos < p || dist > posD[nPos - 1]) && view.versionId(r) == version && !id.equals(view.id(r))) {
                    int k = nPos < p ? nPos++ : p - 1;
                    while (k > 0 && posD[k - 1] < dist) {
                        posD[k] = posD[k - 1];
                        posRows[k] = posRows[k - 1];
                        k--;
                    }
                    posD[k] = dist;
                    posRows[k] = r;
                }
            }
        }

        /** The p nearest (key −d) or the p drawn (key u: the largest u of a uniform draw without replacement). */
        private void takeRanked(MemoryBank.View view, int[] rows, int from, int count, float[] d, int base) {
            int p = posD.length;
            String id = anchor.id();
            boolean random = rules.positive() == PositiveRule.RANDOM;
            for (int j = 0; j < count; j++) {
                int r = rows[from + j];
                float dist = d[base + j];
                if (search != null) {
                    search.offerPositive(view, r, dist);
                }
                double key;
                if (random) {
                    if (view.versionId(r) != version || id.equals(view.id(r))) {
                        continue;
                    }
                    key = RecordRandom.positive(RecordRandom.field(anchorHash, view.id(r)));
                    if (nPos == p && !(key > posKey[p - 1])) {
                        continue;
                    }
                } else {
                    key = -dist;
                    if (!((nPos < p || key > posKey[nPos - 1]) && view.versionId(r) == version
                            && !id.equals(view.id(r)))) {
                        continue;
                    }
                }
                int k = nPos < p ? nPos++ : p - 1;
                while (k > 0 && posKey[k - 1] < key) {
                    posKey[k] = posKey[k - 1];
                    posD[k] = posD[k - 1];
                    posRows[k] = posRows[k - 1];
                    k--;
                }
                posKey[k] = key;
                posD[k] = dist;
                posRows[k] = r;
            }
        }

        /**
         * Offers a row the scan found within the limit; returns the new limit (see {@link #offerHardest}). A drawn
         * rule cannot tighten it: any candidate in the window may still score highest.
         */
        float offerNegative(MemoryBank.View view, int row, float dist) {
            if (!chosen || dist - maxDap >= rules.alpha()) {
                return bound;
            }
            int l = view.labelId(row);
            if (l < 0 || l == label || view.versionId(row) != version) {
                return bound;
            }
            if (best != null) {
                return offerHardest(row, dist);
            }
            offerDrawn(view, row, dist);
            return bound;
        }

        /**
         * For each positive, keeps the hardest {@code negativesPerPositive} accepted negatives in (d_an, row) order:
         * the set the rule "sort every candidate by d_an, stop at the first gap ≥ α, take admitted ones" yields
         * (gap is monotonic in d_an), in a small insertion-sorted array. Returns the new bound: a row farther than
         * it can enter no positive's list — over the positives, the largest of (the k-th best distance once a list
         * is full, else d_ap + α rounded up). The set kept does not depend on the order rows are offered in.
         */
        private float offerHardest(int row, float dist) {
            float alpha = rules.alpha();
            float floor = rules.gapFloor();
            int cap = best[0].length;
            // Non-negative floats order like their raw bits, so one long orders by distance then row.
            long key = ((long) Float.floatToRawIntBits(dist) << 32) | (row & 0xffffffffL);
            boolean changed = false;
            for (int i = 0; i < nPos; i++) {
                float gap = dist - posD[i];
                if (gap >= alpha || gap < -floor || !rules.accepts(TripletKind.of(gap, alpha))) {
                    continue;
                }
                long[] top = best[i];
                int n = taken[i];
                if (n == cap && key >= top[cap - 1]) {
                    continue;
                }
                int j = n < cap ? n++ : cap - 1;
                while (j > 0 && top[j - 1] > key) {
                    top[j] = top[j - 1];
                    j--;
                }
                top[j] = key;
                taken[i] = n;
                changed = true;
            }
            if (changed) {
                float b = Float.NEGATIVE_INFINITY;
                for (int i = 0; i < nPos; i++) {
                    b = Math.max(b, taken[i] == cap ? Float.intBitsToFloat((int) (best[i][cap - 1] >>> 32))
                            : Math.nextUp(posD[i] + alpha));
                }
                bound = b;
            }
            return bound;
        }

        /**
         * For each positive whose window holds the row, scores it log w + Gumbel(u) and keeps the k highest scores
         * (earlier rows first among equals): a Gumbel-top-k draw, whatever order rows come in. The weight depends
         * on the row only, the draw on the positive too (each positive draws its own negatives).
         */
        private void offerDrawn(MemoryBank.View view, int row, float dist) {
            int cap = scores[0].length;
            double logWeight = Double.NaN;
            long candidate = 0;
            for (int i = 0; i < nPos; i++) {
                if (!rules.admits(dist - posD[i])) {
                    continue;
                }
                if (Double.isNaN(logWeight)) {
                    logWeight = rules.negative().logWeight(dist, dim);
                    if (logWeight == Double.NEGATIVE_INFINITY) {
                        return;
                    }
                    candidate = RecordRandom.field(anchorHash, view.id(row));
                }
                double score = logWeight + RecordRandom.gumbel(RecordRandom.negative(candidate, view.id(posRows[i])));
                double[] top = scores[i];
                int[] topRows = drawnRows[i];
                int n = taken[i];
                if (n == cap && !ranksBefore(score, row, top[cap - 1], topRows[cap - 1])) {
                    continue;
                }
                int j = n < cap ? n++ : cap - 1;
                while (j > 0 && ranksBefore(score, row, top[j - 1], topRows[j - 1])) {
                    top[j] = top[j - 1];
                    topRows[j] = topRows[j - 1];
                    drawnD[i][j] = drawnD[i][j - 1];
                    j--;
                }
                top[j] = score;
                topRows[j] = row;
                drawnD[i][j] = dist;
                taken[i] = n;
            }
        }

        List<Triplet> triplets(MemoryBank.View view) {
            List<Triplet> found = new ArrayList<>();
            Triplet.Member a = null;
            float alpha = rules.alpha();
            for (int i = 0; i < nPos; i++) {
                if (taken[i] == 0) {
                    continue;
                }
                if (a == null) {
                    a = new Triplet.Member(anchor.id(), anchor.label(), anchor.image(), anchor.timestamp());
                }
                Triplet.Member positive = member(view, posRows[i]);
                for (int k = 0; k < taken[i]; k++) {
                    int row = best != null ? (int) best[i][k] : drawnRows[i][k];
                    float dAn = best != null ? Float.intBitsToFloat((int) (best[i][k] >>> 32)) : drawnD[i][k];
                    found.add(new Triplet(a, positive, member(view, row), posD[i], dAn, alpha,
                            anchor.modelVersion()));
                }
            }
            anchor = null;
            return found.isEmpty() ? List.of() : found;
        }
    }

    /** Gumbel-top-k's order: the higher score first, the earlier row among equal scores. */
    private static boolean ranksBefore(double score, int row, double otherScore, int otherRow) {
        return score > otherScore || (score == otherScore && row < otherRow);
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

    private static Triplet.Member member(MemoryBank.View view, int row) {
        return new Triplet.Member(view.id(row), view.label(row), view.image(row), view.timestamp(row));
    }
}
