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
 * in arrival order, at most {@code max} at a time, then deleted — all inside the stream task's transaction.
 *
 * <p>The store is the truth: entries restored after a restart are decoded from it. Entries this instance put are
 * also kept as objects (at most what the store holds) and handed back as they are, so draining them costs no
 * decode and no second copy of each image. One per stream task; not thread-safe.
 *
 * @param <T> a buffered record
 */
public final class BatchBuffer<T> {

    private final KeyValueStore<Bytes, byte[]> store;
    private final Function<T, byte[]> encode;
    private final Function<byte[], T> decode;
    private final Map<Bytes, T> buffered = new HashMap<>();
    private int size;

    public BatchBuffer(KeyValueStore<Bytes, byte[]> store, Function<T, byte[]> encode, Function<byte[], T> decode) {
        this.store = store;
        this.encode = encode;
        this.decode = decode;
        try (KeyValueIterator<Bytes, byte[]> it = store.all()) {
            while (it.hasNext()) {
                it.next();
                size++;
            }
        }
    }

    /** Entries waiting, restored ones included. */
    public int size() {
        return size;
    }

    public void put(long offset, T item) {
        // Big-endian offsets sort like numbers, so the store iterates in arrival order.
        Bytes key = Bytes.wrap(ByteBuffer.allocate(Long.BYTES).putLong(offset).array());
        store.put(key, encode.apply(item));
        buffered.put(key, item);
        size++;
    }

    /**
     * Hands full batches to {@code process}, oldest first, deleting each once processed; with {@code everything},
     * the last partial batch too.
     */
    public void drain(int max, boolean everything, Consumer<List<T>> process) {
        drain(max, everything, process, StageTimer.NONE);
    }

    /** As above, charging the store's reads and deletes (not {@code process}) to {@code timer}'s changelog part. */
    public void drain(int max, boolean everything, Consumer<List<T>> process, StageTimer timer) {
        while (size > 0 && (everything || size >= max)) {
            long t = timer.start();
            List<Bytes> keys = new ArrayList<>(Math.min(max, size));
            List<T> batch = new ArrayList<>(Math.min(max, size));
            try (KeyValueIterator<Bytes, byte[]> it = store.all()) {
                while (it.hasNext() && batch.size() < max) {
                    KeyValue<Bytes, byte[]> kv = it.next();
                    T item = buffered.remove(kv.key);
                    keys.add(kv.key);
                    batch.add(item != null ? item : decode.apply(kv.value));
                }
            }
            timer.lap(StageTimer.Part.CHANGELOG, t, 1);
            if (batch.isEmpty()) {
                size = 0;
                break;
            }
            process.accept(batch);
            t = timer.start();
            keys.forEach(store::delete);
            size -= batch.size();
            timer.lap(StageTimer.Part.CHANGELOG, t, 1);
        }
        if (size == 0) {
            buffered.clear();
        }
    }
}
