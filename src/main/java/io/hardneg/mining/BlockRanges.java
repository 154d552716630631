package io.hardneg.mining;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Contiguous ranges of block indices, one per worker: its owner takes from the front, the others from the back,
 * each block exactly once. A range's next front and its end are packed in one long, so a take is one CAS.
 */
final class BlockRanges {
    private final AtomicLongArray ranges;

    BlockRanges(int blocks, int workers) {
        ranges = new AtomicLongArray(workers);
        int per = (blocks + workers - 1) / workers;
        for (int w = 0; w < workers; w++) {
            int from = Math.min(blocks, w * per);
            int to = Math.min(blocks, from + per);
            ranges.set(w, pack(from, to));
        }
    }

    int count() {
        return ranges.length();
    }

    /** The next block of {@code range}: from its front for its owner, else from its back; -1 once empty. */
    int take(int range, boolean owner) {
        while (true) {
            long r = ranges.get(range);
            int front = (int) (r >>> 32);
            int end = (int) r;
            if (front >= end) {
                return -1;
            }
            long next = owner ? pack(front + 1, end) : pack(front, end - 1);
            if (ranges.compareAndSet(range, r, next)) {
                return owner ? front : end - 1;
            }
        }
    }

    private static long pack(int front, int end) {
        return ((long) front << 32) | (end & 0xFFFFFFFFL);
    }
}
