package io.hardneg.mining;

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
 * <p>Anchors are processed in blocks of {@value #BLOCK} (one kernel call reads each bank row once per block); a
 * large batch against a large bank is split into contiguous anchor ranges run on the caller and a small shared
 * pool, one per core. Each anchor's result depends only on the anchor and the bank, so the split never changes a
 * decision. Not thread-safe (it reuses its buffers): one per stream task.
 */
public final class TripletMiner {

    /** Anchors per kernel call: the distance buffer is BLOCK × bank rows floats per worker. */
    static final int BLOCK = 16;
    /** Below this many anchor × row pairs, handing work to another thread costs more than it saves. */
    static final long PARALLEL_MIN_PAIRS = 1L << 20;

    private final MiningRules rules;
    private final Distances distances;
    private final int parallelism;
    private final Scratch[] scratch;

    public TripletMiner(MiningRules rules, Distances distances) {
        this(rules, distances, Runtime.getRuntime().availableProcessors());
    }

    /** {@code parallelism} threads at most (the caller included) mine one batch; 1 keeps it on the caller. */
    public TripletMiner(MiningRules rules, Distances distances, int parallelism) {
        if (parallelism < 1) {
            throw new IllegalArgumentException("parallelism must be >= 1, found " + parallelism);
        }
        this.rules = rules;
        this.distances = distances;
        this.parallelism = parallelism;
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
        return bank.read(view -> mine(view, anchors));
    }

    /** A worker's reused buffers: BLOCK queries and BLOCK × rows distances. */
    private static final class Scratch {
        float[] queries = new float[0];
        float[] distances = new float[0];
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
        for (EmbeddedImage a : anchors) {
            if (a.embedding().length != dim) {
                throw new IllegalArgumentException("anchor " + a.id() + " has dimension " + a.embedding().length
                        + ", bank holds " + dim);
            }
        }
        @SuppressWarnings("unchecked")
        List<Triplet>[] found = new List[n];
        int blocks = (n + BLOCK - 1) / BLOCK;
        int workers = (long) n * rows >= PARALLEL_MIN_PAIRS ? Math.min(parallelism, blocks) : 1;
        if (workers == 1) {
            mineRange(view, anchors, 0, n, scratch[0], found);
        } else {
            // Whole blocks per worker, as even as they go; the caller takes the first range itself.
            List<Future<?>> pending = new ArrayList<>(workers - 1);
            int perWorker = (blocks + workers - 1) / workers * BLOCK;
            for (int w = 1; w < workers; w++) {
                int from = w * perWorker;
                int to = Math.min(n, from + perWorker);
                if (from >= to) {
                    break;
                }
                Scratch sc = scratch[w];
                pending.add(MiningPool.INSTANCE.submit(() -> mineRange(view, anchors, from, to, sc, found)));
            }
            mineRange(view, anchors, 0, Math.min(n, perWorker), scratch[0], found);
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
        }
        out.addAll(Arrays.asList(found));
        return out;
    }

    private void mineRange(MemoryBank.View view, List<EmbeddedImage> anchors, int from, int to, Scratch sc,
                           List<Triplet>[] found) {
        int rows = view.rows();
        int dim = view.dim();
        if (sc.queries.length < BLOCK * dim) {
            sc.queries = new float[BLOCK * dim];
        }
        if (sc.distances.length < BLOCK * rows) {
            sc.distances = new float[BLOCK * rows];
        }
        for (int b = from; b < to; b += BLOCK) {
            int m = Math.min(BLOCK, to - b);
            for (int i = 0; i < m; i++) {
                System.arraycopy(anchors.get(b + i).embedding(), 0, sc.queries, i * dim, dim);
            }
            distances.squaredL2(sc.queries, m, view.vectors(), rows, dim, sc.distances);
            for (int i = 0; i < m; i++) {
                found[b + i] = mineOne(view, anchors.get(b + i), sc.distances, i * rows);
            }
        }
    }

    private static float bound(long[][] best, int[] taken, float[] posD, int nPos, int cap, float alpha) {
        float b = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < nPos; i++) {
            float bi = taken[i] == cap ? Float.intBitsToFloat((int) (best[i][cap - 1] >>> 32))
                    : Math.nextUp(posD[i] + alpha);
            b = Math.max(b, bi);
        }
        return b;
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
        // For each positive, the hardest `negativesPerPositive` accepted negatives, in (d_an, row) order: the same
        // set the rule "sort every candidate by d_an, stop at the first gap >= α, take accepted kinds" yields (gap
        // is monotonic in d_an), kept in a small insertion-sorted array instead of sorting every candidate.
        // Only negatives with d_an − max d_ap < α can qualify (same float arithmetic as the gap itself).
        float maxDap = posD[0];
        float alpha = rules.alpha();
        int cap = rules.negativesPerPositive();
        long[][] best = new long[nPos][cap];
        int[] taken = new int[nPos];
        // A row farther than `bound` can enter no positive's list: bound is, over the positives, the largest of
        // (the k-th best distance once a list is full, else d_ap + α rounded up). Tightening it as lists fill makes
        // the scan a single comparison per row for nearly every row; the exact tests below are unchanged.
        float bound = Math.nextUp(maxDap + alpha);
        for (int r = 0; r < rows; r++) {
            float dist = d[base + r];
            if (dist > bound || dist - maxDap >= alpha) {
                continue;
            }
            int l = view.labelId(r);
            if (l < 0 || l == label || view.versionId(r) != version) {
                continue;
            }
            // Non-negative floats order like their raw bits, so one long orders by distance then row.
            long key = ((long) Float.floatToRawIntBits(dist) << 32) | (r & 0xffffffffL);
            for (int i = 0; i < nPos; i++) {
                float gap = dist - posD[i];
                if (gap >= alpha || !rules.accepts(TripletKind.of(gap, alpha))) {
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
                bound = bound(best, taken, posD, nPos, cap, alpha);
            }
        }
        List<Triplet> found = new ArrayList<>();
        Triplet.Member anchor = new Triplet.Member(a.id(), a.label(), a.image(), a.timestamp());
        for (int i = 0; i < nPos; i++) {
            if (taken[i] == 0) {
                continue;
            }
            Triplet.Member positive = member(view, posRows[i]);
            for (int k = 0; k < taken[i]; k++) {
                int row = (int) best[i][k];
                float dAn = Float.intBitsToFloat((int) (best[i][k] >>> 32));
                found.add(new Triplet(anchor, positive, member(view, row), posD[i], dAn, alpha, a.modelVersion()));
            }
        }
        return found;
    }

    private static Triplet.Member member(MemoryBank.View view, int row) {
        return new Triplet.Member(view.id(row), view.label(row), view.image(row), view.timestamp(row));
    }
}
