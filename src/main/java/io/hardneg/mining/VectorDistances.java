package io.hardneg.mining;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API kernel: lanes run over queries, not over dimensions, so each lane accumulates one dot product
 * in the scalar kernel's order ({@code s = fma(q[i], b[i], s)}, i ascending) and the results are bit-identical to
 * {@link ScalarDistances} on any vector width. Fused, one instruction does a lane's multiply and add: on CPUs that
 * issue both from the same ports (Intel's) that is about a quarter more anchors per second at a 100k bank.
 *
 * <p>Four bank rows × two query vectors are in flight (eight independent accumulators, each bank value loaded once
 * for two vector products); small query groups (the positives of a few same-label anchors, a scan for at most one
 * vector's anchors) use one vector. Every vector loop is warmed up at start and, but for that small scan (per-record
 * mode, partial batches at low load), runs in every batch: a range that is not a multiple of four repeats its last
 * row, queries pad to whole vectors, and no helper takes or returns a vector. A rarely taken vector path stays in
 * the interpreter or C1, and a helper compiled on its own is then too big for C2 to inline; either way the Vector
 * API runs its Java fallback, far slower (docs/decisions/0007-vector-kernel-shape.md). The bank is walked in chunks
 * that stay in L2 while every query block passes over them.
 *
 * <p>Loaded reflectively by {@link DistancesProvider} only when {@code jdk.incubator.vector} is readable.
 */
final class VectorDistances implements Distances {

    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = SPECIES.length();
    /** Query lanes per pass: two vectors. */
    private static final int BLOCK = 2 * LANES;
    /** Bank rows per chunk: 1024 rows × 64 floats = 256 KiB, an L2's worth. */
    private static final int CHUNK_ROWS = 1024;
    /** Widest range of query tags (label ids, dense) given limits per tag; a wider one scans with one set. */
    private static final int MAX_TAG_SPAN = 1 << 16;

    /** Per thread: transposed queries, the result tile and the padded limits per row tag. */
    private static final class Scratch {
        float[] qt = new float[0];
        final float[] tile = new float[CHUNK_ROWS * BLOCK];
        /**
         * Set k of padded limits is {@code limits[k * padded ..]}. Set 0 is every query's limit; set k > 0 is
         * for rows whose tag is one of the queries' own, with those queries' lanes at −∞: such a row can never
         * pass their lanes' exact test, and it passed the vector test of any block holding a query of its label
         * (the nearest rows of an anchor are its own label's), each time costing a lane-by-lane look.
         */
        float[] limits = new float[0];
        /** Row tag − the least query tag → its set of limits; 0 (every query's limits) for other tags. */
        int[] setOfTag = new int[0];
        /** The current scan's: floats per set, sets, the least query tag, and the tag range setOfTag covers. */
        int padded;
        int sets;
        int minTag;
        int span;

        /**
         * Sets this scan's limits for {@code queryRows} queries padded to {@code padded} lanes: padding lanes get
         * -1 (no distance is below it, so they never hit), and each distinct query tag its own set.
         */
        void setLimits(float[] given, int queryRows, int[] queryTags, int padded) {
            int least = Integer.MAX_VALUE;
            int most = Integer.MIN_VALUE;
            for (int q = 0; q < queryRows; q++) {
                least = Math.min(least, queryTags[q]);
                most = Math.max(most, queryTags[q]);
            }
            long wide = (long) most - least + 1;
            span = wide <= MAX_TAG_SPAN ? (int) wide : 0;
            minTag = least;
            this.padded = padded;
            if (setOfTag.length < span) {
                setOfTag = new int[span];
            }
            java.util.Arrays.fill(setOfTag, 0, span, 0);
            sets = 1;
            for (int q = 0; span > 0 && q < queryRows; q++) {
                int t = queryTags[q] - least;
                if (setOfTag[t] == 0) {
                    setOfTag[t] = sets++;
                }
            }
            if (limits.length < sets * padded) {
                limits = new float[sets * padded];
            }
            java.util.Arrays.fill(limits, 0, padded, -1f);
            System.arraycopy(given, 0, limits, 0, queryRows);
            for (int k = 1; k < sets; k++) {
                System.arraycopy(limits, 0, limits, k * padded, padded);
            }
            for (int q = 0; span > 0 && q < queryRows; q++) {
                limits[setOfTag[queryTags[q] - least] * padded + q] = Float.NEGATIVE_INFINITY;
            }
        }

        /** Where the set of limits for a row of this tag starts in {@link #limits}. */
        int offset(int rowTag) {
            long t = (long) rowTag - minTag;
            return t >= 0 && t < span ? setOfTag[(int) t] * padded : 0;
        }

        /** A query's new limit, in every set that does not shut its lane. */
        void tighten(int q, float limit) {
            for (int k = 0; k < sets; k++) {
                int i = k * padded + q;
                if (limits[i] != Float.NEGATIVE_INFINITY) {
                    limits[i] = limit;
                }
            }
        }
    }

    private final ThreadLocal<Scratch> scratch = ThreadLocal.withInitial(Scratch::new);

    @Override
    public String name() {
        return "vector-" + SPECIES.vectorBitSize();
    }

    @Override
    public void squaredL2(float[] queries, int queryRows, float[] bank, int bankRows, int dim, float[] out) {
        gathered(queries, queryRows, bank, null, 0, bankRows, dim, out);
    }

    @Override
    public void squaredL2(float[] queries, int queryRows, float[] bank, int[] rows, int from, int count, int dim,
                          float[] out) {
        gathered(queries, queryRows, bank, rows, from, count, dim, out);
    }

    /**
     * Transposes the queries into {@code s.qt}: {@code qt[k * padded + q] = queries[q * dim + k]}, zero padded to
     * a whole number of blocks.
     */
    private static int transpose(Scratch s, float[] queries, int queryRows, int dim) {
        int padded = (queryRows + BLOCK - 1) / BLOCK * BLOCK;
        if (s.qt.length < padded * dim) {
            s.qt = new float[padded * dim];
        }
        java.util.Arrays.fill(s.qt, 0, padded * dim, 0f);
        for (int q = 0; q < queryRows; q++) {
            for (int k = 0; k < dim; k++) {
                s.qt[k * padded + q] = queries[q * dim + k];
            }
        }
        return padded;
    }

    private void gathered(float[] queries, int queryRows, float[] bank, int[] rowList, int from, int count, int dim,
                          float[] out) {
        if (queryRows == 0 || count == 0) {
            return;
        }
        Scratch s = scratch.get();
        int padded = transpose(s, queries, queryRows, dim);
        float[] qt = s.qt;
        // Results of one query block over one chunk, row-major by bank row: whole vectors are stored, and the
        // transpose into out's per-query rows writes each row sequentially (scattered 4-byte stores across
        // count-long rows were the kernel's bottleneck).
        float[] tile = s.tile;
        for (int c0 = 0; c0 < count; c0 += CHUNK_ROWS) {
            int c1 = Math.min(count, c0 + CHUNK_ROWS);
            for (int q0 = 0; q0 < queryRows; q0 += BLOCK) {
                int live = Math.min(BLOCK, queryRows - q0);
                // A small group (the positives of two or three same-label anchors) fills one vector at most: the
                // second would be padding, and half the work.
                int width = live <= LANES ? LANES : BLOCK;
                if (width == LANES) {
                    dotsOne(qt, padded, q0, bank, rowList, from, c0, c1, dim, tile);
                } else {
                    dots(qt, padded, q0, bank, rowList, from, c0, c1, dim, tile);
                }
                int rows = c1 - c0;
                for (int j = 0; j < live; j++) {
                    int base = (q0 + j) * count + c0;
                    for (int r = 0; r < rows; r++) {
                        out[base + r] = ScalarDistances.distance(tile[r * width + j]);
                    }
                }
            }
        }
    }

    /**
     * Dot products of one block of queries (lanes {@code q0 .. q0 + BLOCK}) with bank rows {@code c0 .. c1} into
     * {@code tile[(b − c0) · BLOCK ..]}.
     */
    private static void dots(float[] qt, int padded, int q0, float[] bank, int[] rowList, int from, int c0, int c1,
                             int dim, float[] tile) {
        for (int b = c0; b < c1; b += 4) {
            int o0 = row(rowList, from, b) * dim;
            int o1 = row(rowList, from, Math.min(b + 1, c1 - 1)) * dim;
            int o2 = row(rowList, from, Math.min(b + 2, c1 - 1)) * dim;
            int o3 = row(rowList, from, Math.min(b + 3, c1 - 1)) * dim;
            FloatVector a0 = FloatVector.zero(SPECIES);
            FloatVector a1 = a0;
            FloatVector a2 = a0;
            FloatVector a3 = a0;
            FloatVector c0v = a0;
            FloatVector c1v = a0;
            FloatVector c2v = a0;
            FloatVector c3v = a0;
            for (int k = 0; k < dim; k++) {
                FloatVector qv = FloatVector.fromArray(SPECIES, qt, k * padded + q0);
                FloatVector qw = FloatVector.fromArray(SPECIES, qt, k * padded + q0 + LANES);
                float b0 = bank[o0 + k];
                float b1 = bank[o1 + k];
                float b2 = bank[o2 + k];
                float b3 = bank[o3 + k];
                a0 = qv.lanewise(VectorOperators.FMA, b0, a0);
                c0v = qw.lanewise(VectorOperators.FMA, b0, c0v);
                a1 = qv.lanewise(VectorOperators.FMA, b1, a1);
                c1v = qw.lanewise(VectorOperators.FMA, b1, c1v);
                a2 = qv.lanewise(VectorOperators.FMA, b2, a2);
                c2v = qw.lanewise(VectorOperators.FMA, b2, c2v);
                a3 = qv.lanewise(VectorOperators.FMA, b3, a3);
                c3v = qw.lanewise(VectorOperators.FMA, b3, c3v);
            }
            // The tile has room for whole groups of four: a repeated row's results land past c1 and are not read.
            int t = (b - c0) * BLOCK;
            a0.intoArray(tile, t);
            c0v.intoArray(tile, t + LANES);
            a1.intoArray(tile, t + BLOCK);
            c1v.intoArray(tile, t + BLOCK + LANES);
            a2.intoArray(tile, t + 2 * BLOCK);
            c2v.intoArray(tile, t + 2 * BLOCK + LANES);
            a3.intoArray(tile, t + 3 * BLOCK);
            c3v.intoArray(tile, t + 3 * BLOCK + LANES);
        }
    }

    /** {@link #dots} for one query vector: {@code tile[(b − c0) · LANES ..]}. */
    private static void dotsOne(float[] qt, int padded, int q0, float[] bank, int[] rowList, int from, int c0,
                                int c1, int dim, float[] tile) {
        for (int b = c0; b < c1; b += 4) {
            int o0 = row(rowList, from, b) * dim;
            int o1 = row(rowList, from, Math.min(b + 1, c1 - 1)) * dim;
            int o2 = row(rowList, from, Math.min(b + 2, c1 - 1)) * dim;
            int o3 = row(rowList, from, Math.min(b + 3, c1 - 1)) * dim;
            FloatVector a0 = FloatVector.zero(SPECIES);
            FloatVector a1 = a0;
            FloatVector a2 = a0;
            FloatVector a3 = a0;
            for (int k = 0; k < dim; k++) {
                FloatVector qv = FloatVector.fromArray(SPECIES, qt, k * padded + q0);
                a0 = qv.lanewise(VectorOperators.FMA, bank[o0 + k], a0);
                a1 = qv.lanewise(VectorOperators.FMA, bank[o1 + k], a1);
                a2 = qv.lanewise(VectorOperators.FMA, bank[o2 + k], a2);
                a3 = qv.lanewise(VectorOperators.FMA, bank[o3 + k], a3);
            }
            int t = (b - c0) * LANES;
            a0.intoArray(tile, t);
            a1.intoArray(tile, t + LANES);
            a2.intoArray(tile, t + 2 * LANES);
            a3.intoArray(tile, t + 3 * LANES);
        }
    }

    private static int row(int[] rowList, int from, int b) {
        return rowList == null ? b : rowList[from + b];
    }

    @Override
    public void scanWithin(float[] queries, int queryRows, float[] bank, int bankRows, int dim, float[] limits,
                           int[] queryTags, int[] rowTags, Hits hits) {
        if (queryRows == 0 || bankRows == 0) {
            return;
        }
        Scratch s = scratch.get();
        int padded = transpose(s, queries, queryRows, dim);
        s.setLimits(limits, queryRows, queryTags, padded);
        if (queryRows <= LANES) {
            // A small batch (per-record mode, a partial batch at low load) fills one query vector: the second
            // would be padding, and half the work. Its own method, so the full-batch loop below stays as compiled.
            scanOne(s, queryRows, bank, bankRows, dim, queryTags, rowTags, hits);
            return;
        }
        for (int c0 = 0; c0 < bankRows; c0 += CHUNK_ROWS) {
            int c1 = Math.min(bankRows, c0 + CHUNK_ROWS);
            for (int q0 = 0; q0 < queryRows; q0 += BLOCK) {
                // The distances kernel fills the tile; a second, light pass tests it row by row. Tested inside the
                // kernel's loop, the test and the callback slowed some of its compilations; here they cost one tile
                // store and load per row (docs/decisions/0007-vector-kernel-shape.md).
                dots(s.qt, padded, q0, bank, null, 0, c0, c1, dim, s.tile);
                within(s.tile, q0, Math.min(BLOCK, queryRows - q0), c0, c1, s, queryTags, rowTags, hits);
            }
        }
    }

    /**
     * Tests the dot products of rows {@code c0 .. c1} in {@code tile} (a block of queries, {@code live} of its lanes
     * real) against the limits for each row's tag and reports the pairs within them. e = 2 − 2·dot is the distance
     * before its clamp at 0, and e ≤ max(0, e): the vector test passes every lane the exact one would (a lane it
     * shuts for a row's tag, the exact test rejects); the exact distance and the tag are checked only for those.
     * The test is written out: a helper taking vectors, compiled on its own first, is then too big for C2 to
     * inline, and every vector crossing the call is boxed and run by the Vector API's Java fallback
     * (docs/decisions/0007-vector-kernel-shape.md).
     */
    private static void within(float[] tile, int q0, int live, int c0, int c1, Scratch s, int[] queryTags,
                               int[] rowTags, Hits hits) {
        FloatVector two = FloatVector.broadcast(SPECIES, 2f);
        FloatVector minusTwo = FloatVector.broadcast(SPECIES, -2f);
        float[] lim = s.limits;
        for (int b = c0; b < c1; b++) {
            int t = (b - c0) * BLOCK;
            int o = s.offset(rowTags[b]) + q0;
            VectorMask<Float> m = FloatVector.fromArray(SPECIES, tile, t).mul(minusTwo).add(two)
                    .compare(VectorOperators.LE, FloatVector.fromArray(SPECIES, lim, o))
                    .or(FloatVector.fromArray(SPECIES, tile, t + LANES).mul(minusTwo).add(two)
                            .compare(VectorOperators.LE, FloatVector.fromArray(SPECIES, lim, o + LANES)));
            if (m.anyTrue()) {
                report(tile, t, q0, live, b, rowTags[b], s, queryTags, hits);
            }
        }
    }

    /** {@link #scanWithin} for at most LANES queries: transposed in {@code s.qt}, limits in {@code s.limits}. */
    private static void scanOne(Scratch s, int queryRows, float[] bank, int bankRows, int dim, int[] queryTags,
                                int[] rowTags, Hits hits) {
        for (int c0 = 0; c0 < bankRows; c0 += CHUNK_ROWS) {
            int c1 = Math.min(bankRows, c0 + CHUNK_ROWS);
            dotsOne(s.qt, s.padded, 0, bank, null, 0, c0, c1, dim, s.tile);
            withinOne(s.tile, 0, queryRows, c0, c1, s, queryTags, rowTags, hits);
        }
    }

    /**
     * {@link #within} for one query vector, whose dot products {@link #dotsOne} left at
     * {@code tile[(b − c0) · LANES ..]}; written out for the same reason.
     */
    private static void withinOne(float[] tile, int q0, int live, int c0, int c1, Scratch s, int[] queryTags,
                                  int[] rowTags, Hits hits) {
        FloatVector two = FloatVector.broadcast(SPECIES, 2f);
        FloatVector minusTwo = FloatVector.broadcast(SPECIES, -2f);
        float[] lim = s.limits;
        for (int b = c0; b < c1; b++) {
            int t = (b - c0) * LANES;
            if (FloatVector.fromArray(SPECIES, tile, t).mul(minusTwo).add(two).compare(VectorOperators.LE,
                    FloatVector.fromArray(SPECIES, lim, s.offset(rowTags[b]) + q0)).anyTrue()) {
                report(tile, t, q0, live, b, rowTags[b], s, queryTags, hits);
            }
        }
    }

    /** The exact per-lane test and the callback, for one bank row whose dot products are at {@code tile[t..]}. */
    private static void report(float[] tile, int t, int q0, int live, int row, int rowTag, Scratch s,
                               int[] queryTags, Hits hits) {
        float[] lim = s.limits;
        for (int j = 0; j < live; j++) {
            int q = q0 + j;
            if (queryTags[q] == rowTag) {
                continue;
            }
            float d = ScalarDistances.distance(tile[t + j]);
            if (d <= lim[q]) {
                s.tighten(q, hits.near(q, row, d));
            }
        }
    }
}
