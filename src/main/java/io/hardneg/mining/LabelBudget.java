package io.hardneg.mining;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Spends the anchor share where the bank shows confusion: a labeled anchor of label l yields triplets with
 * probability p_l, more for labels whose bank rows sit among other labels' rows.
 *
 * <p>For each label l in the bank: purity_l is the mean, over a sample of at most {@code sample} of its rows (those
 * whose id hashes lowest, so the sample is a function of the bank alone), of the share of the row's k nearest
 * other rows of its model version that carry l; the confusion c_l = max(ε, 1 − purity_l), ε = {@value #EPSILON}, so
 * no label is starved; and p_l = min(1, λ·c_l) with λ found by water-filling so that the mean of p_l over the
 * labels present equals the share s. The mean is unweighted: it assumes labels arrive about equally often, and is
 * the share of anchors mined only then. A label none of whose sampled rows has a neighbour counts as pure.
 *
 * <p>When: the budget is computed from the bank at the first batch, then again once the bank has changed
 * ({@link MemoryBank.View#changes()}) and at least {@value #ANCHORS_PER_SAMPLED_ROW} anchors per sampled row have been
 * mined since. Purity costs one pass over the bank per sampled row and mining about one per anchor, so the budget
 * costs at most an eighth of mining's distance work (e.g. 10 labels × 64 rows: a refresh per 5,120 anchors). Being a
 * function of the bank, a restarted instance computes it again from the restored bank, not from a running average
 * lost in the crash. The decision itself is u(anchor id, version, "anchor") &lt; p_l ({@link RecordRandom}).
 *
 * <p>Thread-safe: the miners of every stream task of an instance may share one budget over their one bank.
 */
public final class LabelBudget {

    /** The least confusion a label is given, so that a label the bank shows as pure is still mined a little. */
    static final double EPSILON = 0.02;
    /** Anchors mined per sampled row between two computations: bounds the budget's cost to 1/8 of mining's. */
    static final int ANCHORS_PER_SAMPLED_ROW = 8;
    /** Sampled rows whose distances are computed in one kernel call. */
    private static final int QUERY_BLOCK = 32;

    /**
     * The budget's parameters.
     *
     * @param share s, the mean probability that an anchor yields triplets, in (0, 1]
     * @param k neighbours per sampled row for the purity
     * @param sample rows sampled per label
     */
    public record Rules(double share, int k, int sample) {

        public Rules {
            if (!(share > 0 && share <= 1) || k < 1 || sample < 1) {
                throw new IllegalArgumentException("anchor budget needs share in (0, 1], k >= 1 and sample >= 1; found"
                        + " share=" + share + ", k=" + k + ", sample=" + sample);
            }
        }
    }

    /**
     * One label's budget.
     *
     * @param purity mean share of same-label rows among the sampled rows' k nearest rows, in [0, 1]
     * @param confusion max(ε, 1 − purity)
     * @param probability p, the chance that one of its anchors yields triplets
     */
    public record Entry(String label, double purity, double confusion, double probability) {
    }

    /** One computation: p by the bank's label id, and what led to it. */
    private record Snapshot(long bankChanges, double[] probabilities, Map<String, Entry> labels, int sampledRows) {
    }

    private final Rules rules;
    private final Distances distances;
    private final Consumer<Map<String, Entry>> listener;
    private volatile Snapshot current;
    private long anchorsSince;
    private float[] queries = new float[0];

    public LabelBudget(Rules rules, Distances distances) {
        this(rules, distances, budget -> { });
    }

    /** {@code listener} hears each new budget (gauges, the live page): it must be cheap and must not throw. */
    public LabelBudget(Rules rules, Distances distances, Consumer<Map<String, Entry>> listener) {
        this.rules = rules;
        this.distances = distances;
        this.listener = listener;
    }

    public Rules rules() {
        return rules;
    }

    /** The labels' budget by label name, as last computed; empty before the first batch. */
    public Map<String, Entry> current() {
        Snapshot s = current;
        return s == null ? Map.of() : s.labels();
    }

    /**
     * p by the bank's label id (a label the array does not reach: 1) for a batch of {@code anchors}, computed again
     * first when due. Called under the bank's read lock; the caller must not write to the array.
     */
    synchronized double[] probabilities(MemoryBank.View view, int anchors) {
        Snapshot s = current;
        anchorsSince += anchors;
        if (s == null || (view.changes() != s.bankChanges()
                && anchorsSince >= (long) ANCHORS_PER_SAMPLED_ROW * s.sampledRows())) {
            s = compute(view);
            current = s;
            anchorsSince = anchors;
            listener.accept(s.labels());
        }
        return s.probabilities();
    }

    private Snapshot compute(MemoryBank.View view) {
        int rows = view.rows();
        int dim = view.dim();
        int[] labelOf = view.labelIds();
        int labels = 0;
        for (int r = 0; r < rows; r++) {
            labels = Math.max(labels, labelOf[r] + 1);
        }
        int[] sampled = sample(view, labels);
        // Per sampled row, the share of its k nearest rows (same version, not itself) carrying its label: the
        // miner's bounded scan, its limit tightened to the k-th nearest so far, so nearly every row costs one
        // comparison and no distance matrix is written.
        double[] puritySum = new double[labels];
        int[] counted = new int[labels];
        if (queries.length < QUERY_BLOCK * dim) {
            queries = new float[QUERY_BLOCK * dim];
        }
        float[] vectors = view.vectors();
        Nearest nearest = new Nearest(view, rules.k());
        for (int q0 = 0; q0 < sampled.length; q0 += QUERY_BLOCK) {
            int m = Math.min(QUERY_BLOCK, sampled.length - q0);
            for (int i = 0; i < m; i++) {
                System.arraycopy(vectors, sampled[q0 + i] * dim, queries, i * dim, dim);
            }
            nearest.reset(sampled, q0, m);
            distances.scanWithin(queries, m, vectors, rows, dim, nearest.limits, nearest.tags, labelOf, nearest);
            for (int i = 0; i < m; i++) {
                int self = sampled[q0 + i];
                int found = nearest.found[i];
                if (found == 0) {
                    continue;
                }
                int same = 0;
                for (int j = 0; j < found; j++) {
                    same += labelOf[(int) nearest.keys[i][j]] == labelOf[self] ? 1 : 0;
                }
                puritySum[labelOf[self]] += (double) same / found;
                counted[labelOf[self]]++;
            }
        }
        boolean[] present = new boolean[labels];
        String[] names = new String[labels];
        for (int r = 0; r < rows; r++) {
            if (labelOf[r] >= 0 && !present[labelOf[r]]) {
                present[labelOf[r]] = true;
                names[labelOf[r]] = view.label(r);
            }
        }
        // By name, not by the bank's label ids (the order labels first arrived): a bank restored in another order
        // must give the same budget to the last bit.
        List<Integer> ids = new ArrayList<>();
        for (int l = 0; l < labels; l++) {
            if (present[l]) {
                ids.add(l);
            }
        }
        ids.sort((a, b) -> names[a].compareTo(names[b]));
        double[] purity = new double[ids.size()];
        double[] confusion = new double[ids.size()];
        for (int i = 0; i < purity.length; i++) {
            int l = ids.get(i);
            purity[i] = counted[l] == 0 ? 1.0 : puritySum[l] / counted[l];
            confusion[i] = Math.max(EPSILON, 1.0 - purity[i]);
        }
        double[] p = waterFill(confusion, rules.share());
        double[] byLabelId = new double[labels];
        Arrays.fill(byLabelId, 1.0);
        Map<String, Entry> entries = new TreeMap<>();
        for (int i = 0; i < p.length; i++) {
            int l = ids.get(i);
            byLabelId[l] = p[i];
            entries.put(names[l], new Entry(names[l], purity[i], confusion[i], p[i]));
        }
        return new Snapshot(view.changes(), byLabelId, Collections.unmodifiableMap(entries), sampled.length);
    }

    /** Per label, the {@code sample} occupied rows whose id hashes lowest (earlier rows among equals). */
    private int[] sample(MemoryBank.View view, int labels) {
        int rows = view.rows();
        int[] labelOf = view.labelIds();
        List<List<long[]>> byLabel = new ArrayList<>(labels);
        for (int l = 0; l < labels; l++) {
            byLabel.add(new ArrayList<>());
        }
        for (int r = 0; r < rows; r++) {
            if (labelOf[r] >= 0) {
                long h = RecordRandom.mix(RecordRandom.field(RecordRandom.field(RecordRandom.EMPTY, view.idBytes(r)),
                        RecordRandom.BUDGET_SAMPLE));
                byLabel.get(labelOf[r]).add(new long[] {h, r});
            }
        }
        int[] out = new int[rows];
        int n = 0;
        for (List<long[]> rowsOfLabel : byLabel) {
            rowsOfLabel.sort((a, b) -> a[0] != b[0] ? Long.compareUnsigned(a[0], b[0]) : Long.compare(a[1], b[1]));
            for (int i = 0; i < Math.min(rules.sample(), rowsOfLabel.size()); i++) {
                out[n++] = (int) rowsOfLabel.get(i)[1];
            }
        }
        return Arrays.copyOf(out, n);
    }

    /**
     * Per query of a block, the k nearest occupied rows of its row's version other than itself, as (distance bits,
     * row) keys, nearest (then earlier) first: the set does not depend on the order the scan reports rows in.
     */
    private static final class Nearest implements Distances.Hits {
        /** A tag no row carries (an empty row is −1), so the scan reports rows of every label. */
        private static final int ANY_LABEL = -2;
        /** Squared distances between unit vectors are at most 4. */
        private static final float FARTHEST = 4f;

        final float[] limits = new float[QUERY_BLOCK];
        final int[] tags = new int[QUERY_BLOCK];
        final int[] found = new int[QUERY_BLOCK];
        final long[][] keys;
        private final int[] self = new int[QUERY_BLOCK];
        private final MemoryBank.View view;

        Nearest(MemoryBank.View view, int k) {
            this.view = view;
            this.keys = new long[QUERY_BLOCK][k];
            Arrays.fill(tags, ANY_LABEL);
        }

        void reset(int[] rows, int from, int m) {
            for (int i = 0; i < m; i++) {
                self[i] = rows[from + i];
                found[i] = 0;
                limits[i] = FARTHEST;
            }
        }

        @Override
        public float near(int query, int row, float distance) {
            long[] top = keys[query];
            int k = top.length;
            int n = found[query];
            float limit = n == k ? Float.intBitsToFloat((int) (top[k - 1] >>> 32)) : FARTHEST;
            if (row == self[query] || view.labelId(row) < 0 || view.versionId(row) != view.versionId(self[query])) {
                return limit;
            }
            // Non-negative floats order like their raw bits, so one long orders by distance then row.
            long key = ((long) Float.floatToRawIntBits(distance) << 32) | row;
            if (n == k && key >= top[k - 1]) {
                return limit;
            }
            int j = n < k ? n++ : k - 1;
            while (j > 0 && top[j - 1] > key) {
                top[j] = top[j - 1];
                j--;
            }
            top[j] = key;
            found[query] = n;
            // The scan keeps rows at exactly the limit: an equal distance with an earlier row may still enter.
            return n == k ? Float.intBitsToFloat((int) (top[k - 1] >>> 32)) : FARTHEST;
        }
    }

    /**
     * p_i = min(1, λ·c_i) with λ such that the mean of p is {@code share}: the labels with the largest c saturate
     * at 1 one by one, and λ spreads what is left over the rest in proportion to c. Needs every c &gt; 0.
     */
    static double[] waterFill(double[] confusion, double share) {
        int n = confusion.length;
        double[] p = new double[n];
        Integer[] order = new Integer[n];
        double rest = 0;
        for (int i = 0; i < n; i++) {
            order[i] = i;
            rest += confusion[i];
        }
        Arrays.sort(order, (a, b) -> Double.compare(confusion[b], confusion[a]));
        // With j labels saturated, λ = (s·n − j) / (the others' c); the first j at which the largest unsaturated
        // label stays at or under 1 is the answer (then every saturated label has λ·c ≥ 1 as well).
        double lambda = Double.POSITIVE_INFINITY;
        for (int j = 0; j < n; j++) {
            double l = (share * n - j) / rest;
            if (l * confusion[order[j]] <= 1.0) {
                lambda = l;
                break;
            }
            rest -= confusion[order[j]];
        }
        for (int i = 0; i < n; i++) {
            p[i] = Math.min(1.0, lambda * confusion[i]);
        }
        return p;
    }
}
