package io.hardneg.mining;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Near-duplicate suppression of negatives: per anchor label, the embeddings of the last {@code window}
 * published negatives; a new negative within ε (squared L2, inclusive) of one of them is skipped, so the
 * retraining job gets diverse negatives rather than the same shirt in a thousand crops.
 *
 * <p>Memory is bounded: {@code window × dim} floats per label, and at most {@code maxLabels} labels (the least
 * recently used is forgotten). The anchor–negative pair that put an entry there is remembered with it, so a
 * replayed triplet is not suppressed by its own earlier (aborted) publication. Thread-safe: one per instance.
 */
final class NearDuplicateFilter {

    private final float epsilon;
    private final int window;
    private final Map<String, Ring> byLabel;

    /** {@code epsilon <= 0} or {@code window <= 0} turns the filter off. */
    public NearDuplicateFilter(float epsilon, int window, int maxLabels) {
        this.epsilon = epsilon;
        this.window = window;
        this.byLabel = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Ring> eldest) {
                return size() > maxLabels;
            }
        };
    }

    public boolean enabled() {
        return epsilon > 0f && window > 0;
    }

    /**
     * True when {@code negative} is within ε of a negative published for {@code anchorLabel} within the window
     * (other than this same anchor–negative pair). A null embedding (the negative left the bank) is never one.
     */
    public synchronized boolean isNearDuplicate(String anchorLabel, String anchorId, String negativeId,
                                                float[] negative) {
        if (!enabled() || negative == null) {
            return false;
        }
        Ring ring = byLabel.get(anchorLabel);
        return ring != null && ring.dim == negative.length && ring.near(negative, epsilon, anchorId, negativeId);
    }

    /** Remembers a published negative of {@code anchorLabel}, forgetting the oldest beyond the window. */
    public synchronized void published(String anchorLabel, String anchorId, String negativeId, float[] negative) {
        if (!enabled() || negative == null) {
            return;
        }
        Ring ring = byLabel.get(anchorLabel);
        if (ring == null || ring.dim != negative.length) {
            // New label, or a model with another embedding size: earlier entries are not comparable.
            ring = new Ring(window, negative.length);
            byLabel.put(anchorLabel, ring);
        }
        ring.add(negative, anchorId, negativeId);
    }

    private static final class Ring {
        final int dim;
        final float[] vectors;
        final String[] pairs;
        int next;
        int size;

        Ring(int window, int dim) {
            this.dim = dim;
            this.vectors = new float[window * dim];
            this.pairs = new String[window];
        }

        boolean near(float[] v, float epsilon, String anchorId, String negativeId) {
            // Built only for a row within ε: this runs for every candidate triplet, and nearly every row is far.
            String pair = null;
            for (int i = 0; i < size; i++) {
                float s = 0f;
                int o = i * dim;
                // A sum of squares only grows (rounding is monotone too), so once past ε after a block of 8 the
                // row cannot be near: most rows are far, and stop after the first block.
                for (int k0 = 0; k0 < dim && s <= epsilon; k0 += 8) {
                    for (int k = k0, end = Math.min(dim, k0 + 8); k < end; k++) {
                        float x = vectors[o + k] - v[k];
                        s += x * x;
                    }
                }
                if (s <= epsilon) {
                    pair = pair != null ? pair : anchorId + "\u0000" + negativeId;
                    if (!pair.equals(pairs[i])) {
                        return true;
                    }
                }
            }
            return false;
        }

        void add(float[] v, String anchorId, String negativeId) {
            System.arraycopy(v, 0, vectors, next * dim, dim);
            pairs[next] = anchorId + "\u0000" + negativeId;
            next = (next + 1) % pairs.length;
            size = Math.min(size + 1, pairs.length);
        }
    }
}
