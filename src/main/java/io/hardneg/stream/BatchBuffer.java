package io.hardneg.stream;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The crash-safe batch buffer: accepted records wait in a changelogged store keyed by input offset and are drained
 * in arrival order, at most {@code max} entries and {@code maxBytes} of them at a time, then deleted — all inside the
 * stream task's transaction.
 *
 * <p>The store is the truth: entries restored after a restart are decoded from it. Entries this instance put are
 * also kept as objects (at most what the store holds) and handed back as they are, so draining them costs no
 * decode and no second copy of each image. A batch can be taken out and released later ({@link #take}, {@link
 * #release}), so that its inference runs while the stream thread goes on. One per stream task; not thread-safe.
 *
 * @param <T> a buffered record
 */
public final class BatchBuffer<T> {

    private final KeyValueStore<Bytes, byte[]> store;
    private final Function<T, byte[]> encode;
    private final Function<byte[], T> decode;
    private static final Bytes LAST_KEY = key(Long.MAX_VALUE);

    private final Map<Bytes, T> buffered = new HashMap<>();
    private int size;
    /** Stored bytes of the entries not yet taken. */
    private long availableBytes;
    /** Entries handed out by {@link #take} and not yet released: the oldest ones, up to {@link #lastTaken}. */
    private int taken;
    private Bytes lastTaken;

    public BatchBuffer(KeyValueStore<Bytes, byte[]> store, Function<T, byte[]> encode, Function<byte[], T> decode) {
        this.store = store;
        this.encode = encode;
        this.decode = decode;
        try (KeyValueIterator<Bytes, byte[]> it = store.all()) {
            while (it.hasNext()) {
                availableBytes += it.next().value.length;
                size++;
            }
        }
    }

    /** Entries waiting, restored ones included. */
    public int size() {
        return size;
    }

    public void put(long offset, T item) {
        Bytes key = key(offset);
        byte[] value = encode.apply(item);
        store.put(key, value);
        buffered.put(key, item);
        size++;
        availableBytes += value.length;
    }

    /**
     * Hands full batches to {@code process}, oldest first, deleting each once processed; with {@code everything},
     * the last partial batch too.
     */
    public void drain(int max, long maxBytes, boolean everything, Consumer<List<T>> process) {
        drain(max, maxBytes, everything, process, StageTimer.NONE);
    }

    /** As above, charging the store's reads and deletes (not {@code process}) to {@code timer}'s changelog part. */
    public void drain(int max, long maxBytes, boolean everything, Consumer<List<T>> process, StageTimer timer) {
        Taken<T> batch;
        while ((batch = take(max, maxBytes, everything, timer)) != null) {
            process.accept(batch.items());
            release(batch, timer);
        }
    }

    /** Entries not yet taken: what {@link #take} can still hand out. */
    public int available() {
        return size - taken;
    }

    /** Whether the entries not yet taken make a full batch: {@code max} of them, or {@code maxBytes} stored. */
    public boolean full(int max, long maxBytes) {
        int left = available();
        return left > 0 && (left >= max || availableBytes >= maxBytes);
    }

    /**
     * The oldest entries not yet taken, at most {@code max} and at most {@code maxBytes} stored (but always one), once
     * they make a full batch (with {@code everything}, any); null when there is no such batch. They stay in the store
     * until {@link #release}d, so a commit meanwhile keeps them: after a crash they are restored and taken again.
     * Batches are released in the order taken.
     */
    public Taken<T> take(int max, long maxBytes, boolean everything, StageTimer timer) {
        int left = available();
        if (left <= 0 || !(everything || full(max, maxBytes))) {
            return null;
        }
        long t = timer.start();
        List<Bytes> keys = new ArrayList<>(Math.min(max, left));
        List<T> batch = new ArrayList<>(Math.min(max, left));
        long bytes = 0;
        // Taken entries are the oldest, so the rest start right after the last one taken.
        try (KeyValueIterator<Bytes, byte[]> it = lastTaken == null ? store.all()
                : store.range(next(lastTaken), LAST_KEY)) {
            while (it.hasNext() && batch.size() < max) {
                KeyValue<Bytes, byte[]> kv = it.next();
                if (!batch.isEmpty() && bytes + kv.value.length > maxBytes) {
                    break;
                }
                bytes += kv.value.length;
                T item = buffered.remove(kv.key);
                keys.add(kv.key);
                batch.add(item != null ? item : decode.apply(kv.value));
            }
        }
        timer.lap(StageTimer.Part.CHANGELOG, t, 1);
        if (batch.isEmpty()) {
            // The count was off (the store lost entries under it): trust the store.
            size = taken;
            availableBytes = 0;
            if (size == 0) {
                buffered.clear();
            }
            return null;
        }
        taken += batch.size();
        availableBytes -= bytes;
        lastTaken = keys.get(keys.size() - 1);
        return new Taken<>(keys, batch);
    }

    /** Deletes a batch {@link #take} handed out, now that its outputs are sent. */
    public void release(Taken<T> batch, StageTimer timer) {
        long t = timer.start();
        batch.keys().forEach(store::delete);
        size -= batch.items().size();
        taken -= batch.items().size();
        if (taken == 0) {
            lastTaken = null;
        }
        if (size == 0) {
            buffered.clear();
        }
        timer.lap(StageTimer.Part.CHANGELOG, t, 1);
    }

    private static Bytes key(long offset) {
        // Big-endian offsets sort like numbers, so the store iterates in arrival order.
        return Bytes.wrap(ByteBuffer.allocate(Long.BYTES).putLong(offset).array());
    }

    private static Bytes next(Bytes key) {
        return key(ByteBuffer.wrap(key.get()).getLong() + 1);
    }

    /** A batch handed out by {@link #take}: its store keys and its entries, oldest first. */
    public record Taken<T>(List<Bytes> keys, List<T> items) {
    }
}
