package io.hardneg.mining;

import io.hardneg.config.PositiveRule;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One anchor's selection for {@link TripletMiner}: its positives by the positive rule and, per positive, its negatives by the negative
 * rule (the hardest, or a Gumbel-top-k draw).
 */
final class AnchorSelection {
    private final MiningRules rules;
    /** Whether any choice is drawn, so the anchor is hashed. */
    private final boolean draws;
    final int[] posRows;
    final float[] posD;
    /** The positives' order key, larger first: −d for nearest, the draw for random (farthest uses posD). */
    final double[] posKey;
    final long[][] best;
    /** For a drawn negative rule: per positive, the kept candidates' scores (descending), rows and distances. */
    final double[][] scores;
    final int[][] drawnRows;
    final float[][] drawnD;
    final int[] taken;
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

    AnchorSelection(MiningRules rules, boolean draws) {
        this.rules = rules;
        this.draws = draws;
        int p = rules.positivesPerAnchor();
        int k = rules.negativesPerPositive();
        posRows = new int[p];
        posD = new float[p];
        posKey = new double[p];
        taken = new int[p];
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
        MislabelDetector.Search search = this.search;
        for (int j = 0; j < count; j++) {
            int r = rows[from + j];
            float dist = d[base + j];
            if (search != null && dist <= search.positiveLimit()) {
                search.offerPositive(view, r, dist);
            }
            if (!chosen && nPos > 0) {
                // Passed over by the budget: no triplet uses its positives, one only has to exist; the rest of the
                // rows feed the detector alone (above), which checks its rows itself.
                continue;
            }
            // The distance test first: it rejects nearly every row once the p farthest are known, without
            // touching the row's version and id (cache misses across the bank).
            if ((nPos < p || dist > posD[nPos - 1]) && view.versionId(r) == version && !view.holds(r, id)) {
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
        MislabelDetector.Search search = this.search;
        boolean random = rules.positive() == PositiveRule.RANDOM;
        for (int j = 0; j < count; j++) {
            int r = rows[from + j];
            float dist = d[base + j];
            if (search != null && dist <= search.positiveLimit()) {
                search.offerPositive(view, r, dist);
            }
            if (!chosen && nPos > 0) {
                // Passed over by the budget: no triplet uses its positives, one only has to exist; the rest of the
                // rows feed the detector alone (above), which checks its rows itself.
                continue;
            }
            double key;
            if (random) {
                if (view.versionId(r) != version || view.holds(r, id)) {
                    continue;
                }
                if (!chosen) {
                    // The first eligible row: hashing every candidate's id for a draw nobody reads was a sixth of
                    // the pipeline's CPU.
                    posKey[0] = 0;
                    posD[0] = dist;
                    posRows[0] = r;
                    nPos = 1;
                    continue;
                }
                key = RecordRandom.positive(RecordRandom.field(anchorHash, view.idBytes(r)));
                if (nPos == p && !(key > posKey[p - 1])) {
                    continue;
                }
            } else {
                key = -dist;
                if (!((nPos < p || key > posKey[nPos - 1]) && view.versionId(r) == version
                        && !view.holds(r, id))) {
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
                candidate = RecordRandom.field(anchorHash, view.idBytes(row));
            }
            double score = logWeight
                    + RecordRandom.gumbel(RecordRandom.negative(candidate, view.idBytes(posRows[i])));
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

    /** Gumbel-top-k's order: the higher score first, the earlier row among equal scores. */
    private static boolean ranksBefore(double score, int row, double otherScore, int otherRow) {
        return score > otherScore || (score == otherScore && row < otherRow);
    }

    private static Triplet.Member member(MemoryBank.View view, int row) {
        return new Triplet.Member(view.id(row), view.label(row), view.image(row), view.timestamp(row));
    }
}
