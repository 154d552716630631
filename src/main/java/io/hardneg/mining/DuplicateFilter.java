package io.hardneg.mining;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Exact-duplicate suppression: remembers the content hashes (SHA-256, first 128 bits) of the last
 * {@code window} distinct images and says whether an image was already seen under another id.
 *
 * <p>The same id seen again is a replay (a retried transaction, a producer resend), not a duplicate: it is
 * mined again, so that a retry after a crash makes the decision the aborted attempt made. Thread-safe: one per
 * instance, shared by its tasks, so duplicates are caught across partitions processed by this instance.
 */
final class DuplicateFilter {

    private record Digest(long hi, long lo) {
    }

    private final int window;
    private final Map<Digest, String> seen;

    /** {@code window <= 0} turns the filter off. */
    public DuplicateFilter(int window) {
        this.window = window;
        this.seen = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Digest, String> eldest) {
                return size() > DuplicateFilter.this.window;
            }
        };
    }

    public boolean enabled() {
        return window > 0;
    }

    /** True when {@code image} was seen within the window under an id other than {@code id}; records it either way. */
    public synchronized boolean isDuplicate(String id, byte[] image) {
        if (window <= 0 || image == null) {
            return false;
        }
        Digest h = digest(image);
        String first = seen.get(h);
        if (first == null) {
            seen.put(h, id);
            return false;
        }
        return !first.equals(id);
    }

    synchronized int size() {
        return seen.size();
    }

    static Digest digest(byte[] image) {
        try {
            ByteBuffer b = ByteBuffer.wrap(MessageDigest.getInstance("SHA-256").digest(image));
            return new Digest(b.getLong(), b.getLong());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
