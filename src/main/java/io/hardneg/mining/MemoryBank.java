package io.hardneg.mining;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The embeddings every anchor is mined against: at most K per label (the bank topic's {@code label/slot}
 * keys) and B in all, in one flat float matrix allocated once.
 *
 * <p>Written by Kafka Streams' global thread, read by stream threads: writers take the write lock, a miner
 * holds the read lock for one whole batch of anchors.
 */
public final class MemoryBank {

    private final int dim;
    private final int perLabel;
    private final int capacity;
    private final float[] vectors;
    private final String[] ids;
    /** Each row's id as UTF-8, for the miner's draws: hashing bytes skips String's per-character checks. */
    private final byte[][] idBytes;
    /** Each row's {@code id.hashCode()}, so that "is this row the anchor?" rarely reads the row's String. */
    private final int[] idHashes;
    private final int[] labelIds;
    private final int[] versionIds;
    private final byte[][] images;
    private final long[] timestamps;
    private final long[] updateSeq;
    private final String[] keys;
    private final Map<String, Integer> rowByKey = new HashMap<>();
    private final Map<String, Integer> labelIndex = new HashMap<>();
    private final Map<String, Integer> versionIndex = new HashMap<>();
    private final Map<Integer, String> labelNames = new HashMap<>();
    private final ArrayDeque<Integer> freeRows = new ArrayDeque<>();
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private int highWater;
    private long seq;
    /** Counts every put and remove, so readers can tell whether the bank changed since they last looked. */
    private long changes;
    private long evictions;
    private final long imageBudget;
    private long imageBytes;

    public MemoryBank(int dim, int perLabel, int capacity) {
        this(dim, perLabel, capacity, Long.MAX_VALUE);
    }

    /**
     * A bank whose kept images take at most {@code imageBudget} bytes together: past it, new entries keep their
     * embedding but not their image, so the bank's memory is bounded whatever the producers send.
     */
    public MemoryBank(int dim, int perLabel, int capacity, long imageBudget) {
        if (dim <= 0 || perLabel <= 0 || capacity <= 0) {
            throw new IllegalArgumentException("bank needs dim, per-label and capacity > 0; found " + dim + ", "
                    + perLabel + ", " + capacity);
        }
        this.dim = dim;
        this.perLabel = perLabel;
        this.capacity = capacity;
        this.imageBudget = imageBudget;
        this.vectors = new float[Math.multiplyExact(dim, capacity)];
        this.ids = new String[capacity];
        this.idBytes = new byte[capacity][];
        this.idHashes = new int[capacity];
        this.labelIds = new int[capacity];
        this.versionIds = new int[capacity];
        this.images = new byte[capacity][];
        this.timestamps = new long[capacity];
        this.updateSeq = new long[capacity];
        this.keys = new String[capacity];
        Arrays.fill(labelIds, -1);
    }

    public int dim() {
        return dim;
    }

    public int perLabel() {
        return perLabel;
    }

    public int capacity() {
        return capacity;
    }

    /** The bank topic key of an entry: compaction on {@code label/slot} keeps at most K per label. */
    public static String key(String label, String id, int perLabel) {
        return label + "/" + slot(id, perLabel);
    }

    /** A stable slot for an id, so that a replayed record overwrites its own slot rather than another's. */
    static int slot(String id, int perLabel) {
        int h = id.hashCode() * 0x9E3779B9;
        return Math.floorMod(h ^ (h >>> 16), perLabel);
    }

    /** Stores (or replaces) the entry under {@code key}; a full bank evicts its least recently written row. */
    public void put(String key, EmbeddedImage e) {
        if (e.embedding().length != dim) {
            throw new IllegalArgumentException("bank entry " + e.id() + " has dimension " + e.embedding().length
                    + ", bank holds " + dim);
        }
        lock.writeLock().lock();
        try {
            Integer row = rowByKey.get(key);
            if (row == null) {
                row = allocateRow();
                rowByKey.put(key, row);
                keys[row] = key;
            }
            System.arraycopy(e.embedding(), 0, vectors, row * dim, dim);
            ids[row] = e.id();
            idBytes[row] = e.id().getBytes(StandardCharsets.UTF_8);
            idHashes[row] = e.id().hashCode();
            labelIds[row] = labelIndex.computeIfAbsent(e.label(), l -> {
                labelNames.put(labelIndex.size(), l);
                return labelIndex.size();
            });
            versionIds[row] = versionIndex.computeIfAbsent(e.modelVersion(), v -> versionIndex.size());
            if (images[row] != null) {
                imageBytes -= images[row].length;
            }
            byte[] image = e.image();
            if (image != null && imageBytes + image.length > imageBudget) {
                image = null;
            }
            images[row] = image;
            imageBytes += image == null ? 0 : image.length;
            timestamps[row] = e.timestamp();
            updateSeq[row] = ++seq;
            changes++;
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** Removes the entry under {@code key} (a tombstone on the bank topic). */
    public void remove(String key) {
        lock.writeLock().lock();
        try {
            Integer row = rowByKey.remove(key);
            if (row != null) {
                clearRow(row);
                freeRows.push(row);
                changes++;
            }
        } finally {
            lock.writeLock().unlock();
        }
    }

    private int allocateRow() {
        if (!freeRows.isEmpty()) {
            return freeRows.pop();
        }
        if (highWater < capacity) {
            return highWater++;
        }
        int oldest = 0;
        for (int r = 1; r < highWater; r++) {
            if (updateSeq[r] < updateSeq[oldest]) {
                oldest = r;
            }
        }
        rowByKey.remove(keys[oldest]);
        clearRow(oldest);
        evictions++;
        return oldest;
    }

    private void clearRow(int row) {
        ids[row] = null;
        idBytes[row] = null;
        labelIds[row] = -1;
        versionIds[row] = -1;
        if (images[row] != null) {
            imageBytes -= images[row].length;
        }
        images[row] = null;
        keys[row] = null;
        Arrays.fill(vectors, row * dim, (row + 1) * dim, 0f);
    }

    public int size() {
        lock.readLock().lock();
        try {
            return rowByKey.size();
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Bytes of the images the bank keeps, at most the budget given at construction. */
    public long imageBytes() {
        lock.readLock().lock();
        try {
            return imageBytes;
        } finally {
            lock.readLock().unlock();
        }
    }

    public long evictions() {
        lock.readLock().lock();
        try {
            return evictions;
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Entries of model version {@code version}: what an anchor of that version is mined against. */
    public int sizeOf(String version) {
        return sizeByVersion().getOrDefault(version, 0);
    }

    /** Entries per model version, for the bank gauges. */
    public Map<String, Integer> sizeByVersion() {
        lock.readLock().lock();
        try {
            Map<String, Integer> out = new HashMap<>();
            int[] counts = new int[versionIndex.size()];
            for (int r = 0; r < highWater; r++) {
                if (ids[r] != null) {
                    counts[versionIds[r]]++;
                }
            }
            versionIndex.forEach((v, i) -> {
                if (counts[i] > 0) {
                    out.put(v, counts[i]);
                }
            });
            return out;
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * A copy of the embedding of entry {@code id} (label {@code label}), or null when the bank no longer holds
     * it (its slot was overwritten or evicted since it was read).
     */
    public float[] embeddingOf(String label, String id) {
        lock.readLock().lock();
        try {
            Integer row = rowByKey.get(key(label, id, perLabel));
            if (row == null || !id.equals(ids[row])) {
                return null;
            }
            return Arrays.copyOfRange(vectors, row * dim, (row + 1) * dim);
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Runs {@code reader} on a consistent view of the bank; keep it short, writers wait meanwhile. */
    public <T> T read(java.util.function.Function<View, T> reader) {
        lock.readLock().lock();
        try {
            return reader.apply(new View());
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Read access to the rows, valid only inside {@link #read}. */
    public final class View {

        private View() {
        }

        /** Rows {@code 0..rows()} may hold entries; empty rows have a null id. */
        public int rows() {
            return highWater;
        }

        public int dim() {
            return dim;
        }

        /** Puts and removes so far: equal counts mean equal contents. */
        public long changes() {
            return changes;
        }

        public float[] vectors() {
            return vectors;
        }

        public boolean occupied(int row) {
            return ids[row] != null;
        }

        public String id(int row) {
            return ids[row];
        }

        /** Whether the row holds entry {@code id}; a row of another id is told apart by its hash, nearly always. */
        public boolean holds(int row, String id) {
            return idHashes[row] == id.hashCode() && id.equals(ids[row]);
        }

        /** The row's id as UTF-8 bytes; the caller must not write to them. */
        byte[] idBytes(int row) {
            return idBytes[row];
        }

        public int labelId(int row) {
            return labelIds[row];
        }

        /** Every row's label id (-1 for an empty row), for kernels; the caller must not write to it. */
        public int[] labelIds() {
            return labelIds;
        }

        /** The label's id, or -1 when no entry has carried it. */
        public int labelIdOf(String label) {
            Integer i = labelIndex.get(label);
            return i == null ? -1 : i;
        }

        public String label(int row) {
            return labelNames.get(labelIds[row]);
        }

        public int versionId(int row) {
            return versionIds[row];
        }

        /** The version's id, or -1 when no entry has carried it. */
        public int versionIdOf(String version) {
            Integer i = versionIndex.get(version);
            return i == null ? -1 : i;
        }

        public byte[] image(int row) {
            return images[row];
        }

        public long timestamp(int row) {
            return timestamps[row];
        }
    }
}
