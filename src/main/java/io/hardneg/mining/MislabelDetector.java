package io.hardneg.mining;

import java.util.ArrayList;
import java.util.List;

/**
 * Finds anchors whose label looks wrong: an anchor that sits deep inside one other class is a label error far
 * more often than a hard negative (FaceNet, section 3.2), so it is routed to review instead of retraining.
 *
 * <p>The rule, for an anchor a with label y, its k nearest positives P (label y, same model version, not a)
 * and its k nearest negatives N (another label, same version): with d̄P the mean distance to P, a negative n
 * is <em>deep</em> when d(a,n) − d̄P &lt; −τ; a is suspect when at least {@code ceil(agreement·k)} of N are
 * deep and carry one same label z, which becomes the suggested label. An anchor with no positive or fewer
 * than k negatives is never suspect: there is nothing to compare with. Nor is one whose label has fewer than
 * {@code minPositives} rows in the bank (same version, not a): while a label's rows are few, its mean positive is
 * far and a negative easily looks deep, so a bank still filling up would flag good labels (docs/mining.md).
 *
 * <p>Not thread-safe (it reuses its query buffer): one per stream task.
 */
public final class MislabelDetector {

    /**
     * The rule's parameters.
     *
     * @param tau how far (squared L2) a negative must be closer than the mean positive to count as deep
     * @param k negatives and positives compared
     * @param agreement share of the k negatives that must be deep and agree on one label, in (0, 1]
     * @param minPositives bank rows of the anchor's label (same version, not the anchor) needed before judging, >= 1
     */
    public record Rules(float tau, int k, double agreement, int minPositives) {

        public Rules {
            if (!(tau >= 0f && tau <= 4f) || k < 1 || !(agreement > 0 && agreement <= 1) || minPositives < 1) {
                throw new IllegalArgumentException("suspect rule needs tau in [0,4], k >= 1, agreement in (0,1], "
                        + "minPositives >= 1; found tau=" + tau + ", k=" + k + ", agreement=" + agreement
                        + ", minPositives=" + minPositives);
            }
        }

        /** The rule without a minimum bank fill: one positive is enough. */
        public Rules(float tau, int k, double agreement) {
            this(tau, k, agreement, 1);
        }

        /** The number of agreeing deep negatives that makes a suspect. */
        public int votesNeeded() {
            // The small slack keeps 0.6·5 = 3 from becoming 4 through binary rounding.
            return Math.max(1, (int) Math.ceil(agreement * k - 1e-9));
        }
    }

    /** A bank entry near the anchor. */
    public record Neighbour(String id, String label, float distance) {
    }

    /**
     * Why an anchor is suspect.
     *
     * @param votes deep negatives carrying the suggested label
     * @param negatives the k nearest negatives, nearest first
     * @param positives up to k nearest positives, nearest first
     */
    public record Suspicion(EmbeddedImage anchor, String suggestedLabel, int votes, float meanPositiveDistance,
                            List<Neighbour> negatives, List<Neighbour> positives, Rules rules) {
    }

    private final Rules rules;
    private final Distances distances;
    private float[] queryBuffer = new float[0];

    public MislabelDetector(Rules rules, Distances distances) {
        this.rules = rules;
        this.distances = distances;
    }

    public Rules rules() {
        return rules;
    }

    /**
     * One entry per anchor, in order: its suspicion, or null. This is the detector on its own, with a scan of its
     * own; the stream gets the same verdicts from the miner's pass ({@link TripletMiner#mine(MemoryBank, List,
     * MislabelDetector)}) and so scans the bank once per batch, not twice.
     */
    public List<Suspicion> detect(MemoryBank bank, List<EmbeddedImage> anchors) {
        return bank.read(view -> detect(view, anchors));
    }

    /** Anchors per kernel pass. */
    private static final int BLOCK = 32;

    private List<Suspicion> detect(MemoryBank.View view, List<EmbeddedImage> anchors) {
        int n = anchors.size();
        int rows = view.rows();
        int dim = view.dim();
        List<Suspicion> out = new ArrayList<>(n);
        if (rows == 0 || n == 0) {
            anchors.forEach(a -> out.add(null));
            return out;
        }
        if (queryBuffer.length < BLOCK * dim) {
            queryBuffer = new float[BLOCK * dim];
        }
        Search[] searches = new Search[BLOCK];
        float[] limits = new float[BLOCK];
        // No row carries this tag, so the scan skips none: same-label rows are the positives.
        int[] tags = new int[BLOCK];
        java.util.Arrays.fill(tags, Integer.MIN_VALUE);
        for (int b = 0; b < n; b += BLOCK) {
            int m = Math.min(BLOCK, n - b);
            for (int i = 0; i < m; i++) {
                EmbeddedImage a = anchors.get(b + i);
                System.arraycopy(a.embedding(), 0, queryBuffer, i * dim, dim);
                int label = a.label() == null ? -1 : view.labelIdOf(a.label());
                int version = view.versionIdOf(a.modelVersion());
                searches[i] = label < 0 || version < 0 ? null : newSearch().reset(a.id(), label, version);
                limits[i] = searches[i] == null ? -1f : Float.POSITIVE_INFINITY;
            }
            distances.scanWithin(queryBuffer, m, view.vectors(), rows, dim, limits, tags, view.labelIds(),
                    (q, row, d) -> searches[q].offer(view, row, d));
            for (int i = 0; i < m; i++) {
                out.add(searches[i] == null ? null : judge(view, anchors.get(b + i), searches[i]));
            }
        }
        return out;
    }

    /** A search for one anchor at a time, to be fed by another pass over the bank (the miner's). */
    Search newSearch() {
        return new Search(rules.k());
    }

    /**
     * One anchor's k nearest positives and negatives, reusable from one anchor to the next. Fed either by the
     * detector's own scan ({@link #offer}, every row) or by the miner's pass ({@link #offerPositive} for each row of
     * the anchor's label, {@link #offerNegative} for the rows of other labels within {@link #negativeLimit}); the
     * lists kept do not depend on the order rows come in, so both feeds judge alike.
     */
    static final class Search {
        private String id;
        private int label;
        private int version;
        private final Nearest pos;
        private final Nearest neg;

        Search(int k) {
            this.pos = new Nearest(k);
            this.neg = new Nearest(k);
        }

        Search reset(String id, int label, int version) {
            this.id = id;
            this.label = label;
            this.version = version;
            pos.clear();
            neg.clear();
            return this;
        }

        /** Any row; returns the farther of the two lists' limits: a row beyond it can enter neither. */
        float offer(MemoryBank.View view, int row, float d) {
            if (view.labelId(row) == label) {
                offerPositive(view, row, d);
            } else {
                offerNegative(view, row, d);
            }
            return Math.max(pos.limit(), neg.limit());
        }

        /** A positive farther than this cannot enter; one at it may (a tie goes to the lower row). */
        float positiveLimit() {
            return pos.limit;
        }

        /** A row of the anchor's own label. */
        void offerPositive(MemoryBank.View view, int row, float d) {
            // The distance first: reading the row's id string is a cache miss for every same-label row.
            if (pos.wouldTake(row, d) && view.versionId(row) == version && !view.holds(row, id)) {
                pos.offer(row, d);
            }
        }

        /** A row of any other label (the anchor's own and free rows are ignored); returns {@link #negativeLimit}. */
        float offerNegative(MemoryBank.View view, int row, float d) {
            int l = view.labelId(row);
            if (l >= 0 && l != label && view.versionId(row) == version) {
                neg.offer(row, d);
            }
            return neg.limit();
        }

        /** A negative farther than this cannot enter. */
        float negativeLimit() {
            return neg.limit();
        }
    }

    /** The verdict on {@code a} once {@code search} has seen every row that could enter its lists; null if none. */
    Suspicion judge(MemoryBank.View view, EmbeddedImage a, Search search) {
        Nearest pos = search.pos;
        Nearest neg = search.neg;
        int k = rules.k();
        if (pos.size == 0 || neg.size < k || !hasPositives(view, a, search, rules.minPositives())) {
            return null;
        }
        float sum = 0f;
        for (int i = 0; i < pos.size; i++) {
            sum += pos.dist[i];
        }
        float meanPos = sum / pos.size;
        // The negatives are nearest first, so the deep ones are a prefix. Each label is counted at its nearest deep
        // negative, so a tie goes to the label of the nearer one. k is small: counting by rescanning allocates
        // nothing, as this runs for every anchor.
        int deep = 0;
        while (deep < neg.size && neg.dist[deep] - meanPos < -rules.tau()) {
            deep++;
        }
        int best = -1;
        int bestVotes = 0;
        for (int i = 0; i < deep; i++) {
            int label = view.labelId(neg.rows[i]);
            if (countLabel(view, neg, 0, i, label) > 0) {
                continue; // counted at a nearer negative
            }
            int votes = countLabel(view, neg, i, deep, label);
            if (votes > bestVotes) {
                best = label;
                bestVotes = votes;
            }
        }
        if (bestVotes < rules.votesNeeded()) {
            return null;
        }
        int bestRow = -1;
        for (int i = 0; i < neg.size && bestRow < 0; i++) {
            if (view.labelId(neg.rows[i]) == best) {
                bestRow = neg.rows[i];
            }
        }
        return new Suspicion(a, view.label(bestRow), bestVotes, meanPos, neg.neighbours(view), pos.neighbours(view),
                rules);
    }

    /** Whether the bank holds at least {@code min} rows of the search's label and version other than the anchor. */
    private static boolean hasPositives(MemoryBank.View view, EmbeddedImage a, Search search, int min) {
        if (search.pos.size >= min) {
            return true; // the positives kept are such rows
        }
        int[] labels = view.labelIds();
        int rows = view.rows();
        int n = 0;
        for (int r = 0; r < rows && n < min; r++) {
            if (labels[r] == search.label && view.versionId(r) == search.version && !view.holds(r, a.id())) {
                n++;
            }
        }
        return n >= min;
    }

    /** How many of {@code neg}'s rows {@code from .. to} carry {@code label}. */
    private static int countLabel(MemoryBank.View view, Nearest neg, int from, int to, int label) {
        int n = 0;
        for (int j = from; j < to; j++) {
            if (view.labelId(neg.rows[j]) == label) {
                n++;
            }
        }
        return n;
    }

    /** The k smallest (distance, row) pairs offered, nearest first, whatever the order they come in. */
    private static final class Nearest {
        final int[] rows;
        final float[] dist;
        int size;
        /** {@link #limit()}, kept up to date: the miner tests every same-label row against it. */
        float limit = Float.POSITIVE_INFINITY;

        Nearest(int k) {
            rows = new int[k];
            dist = new float[k];
        }

        void clear() {
            size = 0;
            limit = Float.POSITIVE_INFINITY;
        }

        /** Whether {@link #offer} would keep this pair now. */
        boolean wouldTake(int row, float d) {
            int k = rows.length;
            return !(size == k && (d > dist[k - 1] || d == dist[k - 1] && row > rows[k - 1]));
        }

        void offer(int row, float d) {
            if (!wouldTake(row, d)) {
                return;
            }
            int k = rows.length;
            int j = size < k ? size++ : k - 1;
            while (j > 0 && (dist[j - 1] > d || dist[j - 1] == d && rows[j - 1] > row)) {
                dist[j] = dist[j - 1];
                rows[j] = rows[j - 1];
                j--;
            }
            dist[j] = d;
            rows[j] = row;
            if (size == k) {
                limit = dist[k - 1];
            }
        }

        /** A row farther than this cannot enter (a tie with the k-th can, if its row is lower). */
        float limit() {
            return limit;
        }

        List<Neighbour> neighbours(MemoryBank.View view) {
            List<Neighbour> out = new ArrayList<>(size);
            for (int i = 0; i < size; i++) {
                out.add(new Neighbour(view.id(rows[i]), view.label(rows[i]), dist[i]));
            }
            return out;
        }
    }
}
