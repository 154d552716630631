package io.hardneg.mining;

import java.util.ArrayList;
import java.util.List;

/**
 * Mines triplets for a batch of anchors against the memory bank, exactly: every bank entry of the anchor's
 * model version is compared, none of another version ever is.
 *
 * <p>Not thread-safe (it reuses its distance buffer): one per stream task.
 */
public final class TripletMiner {

    private final MiningRules rules;
    private final Distances distances;
    private float[] distanceBuffer = new float[0];
    private float[] queryBuffer = new float[0];

    public TripletMiner(MiningRules rules, Distances distances) {
        this.rules = rules;
        this.distances = distances;
    }

    public MiningRules rules() {
        return rules;
    }

    /** Triplets for each anchor, in anchor order; unlabeled anchors get none. */
    public List<List<Triplet>> mine(MemoryBank bank, List<EmbeddedImage> anchors) {
        return bank.read(view -> mine(view, anchors));
    }

    private List<List<Triplet>> mine(MemoryBank.View view, List<EmbeddedImage> anchors) {
        int n = anchors.size();
        int rows = view.rows();
        int dim = view.dim();
        List<List<Triplet>> out = new ArrayList<>(n);
        if (rows == 0 || n == 0) {
            anchors.forEach(a -> out.add(List.of()));
            return out;
        }
        if (queryBuffer.length < n * dim) {
            queryBuffer = new float[n * dim];
        }
        for (int i = 0; i < n; i++) {
            float[] e = anchors.get(i).embedding();
            if (e.length != dim) {
                throw new IllegalArgumentException("anchor " + anchors.get(i).id() + " has dimension " + e.length
                        + ", bank holds " + dim);
            }
            System.arraycopy(e, 0, queryBuffer, i * dim, dim);
        }
        if (distanceBuffer.length < n * rows) {
            distanceBuffer = new float[n * rows];
        }
        distances.squaredL2(queryBuffer, n, view.vectors(), rows, dim, distanceBuffer);
        for (int i = 0; i < n; i++) {
            out.add(mineOne(view, anchors.get(i), distanceBuffer, i * rows));
        }
        return out;
    }

    private List<Triplet> mineOne(MemoryBank.View view, EmbeddedImage a, float[] d, int base) {
        if (a.label() == null) {
            return List.of();
        }
        int label = view.labelIdOf(a.label());
        int version = view.versionIdOf(a.modelVersion());
        if (label < 0 || version < 0) {
            return List.of();
        }
        int rows = view.rows();
        int p = rules.positivesPerAnchor();
        int[] posRows = new int[p];
        float[] posD = new float[p];
        int nPos = 0;
        for (int r = 0; r < rows; r++) {
            if (view.labelId(r) != label || view.versionId(r) != version || a.id().equals(view.id(r))) {
                continue;
            }
            // Keep the p farthest positives, sorted farthest first (insertion: p is small).
            float dist = d[base + r];
            if (nPos < p || dist > posD[nPos - 1]) {
                int j = nPos < p ? nPos++ : p - 1;
                while (j > 0 && posD[j - 1] < dist) {
                    posD[j] = posD[j - 1];
                    posRows[j] = posRows[j - 1];
                    j--;
                }
                posD[j] = dist;
                posRows[j] = r;
            }
        }
        if (nPos == 0) {
            return List.of();
        }
        // Only negatives with d_an − max d_ap < α can form a triplet under the margin (same float arithmetic
        // as the gap itself, so the pre-filter never drops a triplet the exact rule would keep).
        float maxDap = posD[0];
        int[] negRows = new int[16];
        float[] negD = new float[16];
        int nNeg = 0;
        for (int r = 0; r < rows; r++) {
            int l = view.labelId(r);
            if (l < 0 || l == label || view.versionId(r) != version
                    || d[base + r] - maxDap >= rules.alpha()) {
                continue;
            }
            if (nNeg == negRows.length) {
                negRows = java.util.Arrays.copyOf(negRows, nNeg * 2);
                negD = java.util.Arrays.copyOf(negD, nNeg * 2);
            }
            negRows[nNeg] = r;
            negD[nNeg++] = d[base + r];
        }
        sortByDistance(negRows, negD, nNeg);
        List<Triplet> found = new ArrayList<>();
        Triplet.Member anchor = new Triplet.Member(a.id(), a.label(), a.image(), a.timestamp());
        for (int i = 0; i < nPos; i++) {
            float dAp = posD[i];
            Triplet.Member positive = member(view, posRows[i]);
            int taken = 0;
            for (int k = 0; k < nNeg && taken < rules.negativesPerPositive(); k++) {
                float gap = negD[k] - dAp;
                if (gap >= rules.alpha()) {
                    break; // sorted by d_an: every later negative is easier still
                }
                if (rules.accepts(TripletKind.of(gap, rules.alpha()))) {
                    found.add(new Triplet(anchor, positive, member(view, negRows[k]), dAp, negD[k], rules.alpha(),
                            a.modelVersion()));
                    taken++;
                }
            }
        }
        return found;
    }

    private static Triplet.Member member(MemoryBank.View view, int row) {
        return new Triplet.Member(view.id(row), view.label(row), view.image(row), view.timestamp(row));
    }

    /** Sorts the first n (row, distance) pairs by distance, then row (deterministic on ties). */
    private static void sortByDistance(int[] rows, float[] dist, int n) {
        long[] packed = new long[n];
        for (int i = 0; i < n; i++) {
            // Non-negative floats order like their raw bits, so one long sort orders by distance then row.
            packed[i] = ((long) Float.floatToRawIntBits(dist[i]) << 32) | (rows[i] & 0xffffffffL);
        }
        java.util.Arrays.sort(packed);
        for (int i = 0; i < n; i++) {
            rows[i] = (int) packed[i];
            dist[i] = Float.intBitsToFloat((int) (packed[i] >>> 32));
        }
    }
}
