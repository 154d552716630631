package io.hardneg.stream;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;

class BatchBufferTest {

    private final AtomicInteger decoded = new AtomicInteger();

    private BatchBuffer<String> buffer(KeyValueStore<Bytes, byte[]> store) {
        return new BatchBuffer<>(store, s -> s.getBytes(StandardCharsets.UTF_8), b -> {
            decoded.incrementAndGet();
            return new String(b, StandardCharsets.UTF_8);
        });
    }

    /** An in-memory store as a stream task has it, without its changelog. */
    private static KeyValueStore<Bytes, byte[]> store() {
        KeyValueStore<Bytes, byte[]> store = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore("pending"),
                Serdes.Bytes(), Serdes.ByteArray()).withLoggingDisabled().build();
        MockProcessorContext<Object, Object> context = new MockProcessorContext<>();
        store.init(context.getStateStoreContext(), store);
        return store;
    }

    @Test
    void shouldDrainInArrivalOrderAndDecodeOnlyWhatWasRestored() {
        // Given a store as a stream task has it, and five records put out of key order
        KeyValueStore<Bytes, byte[]> store = store();
        BatchBuffer<String> buffer = buffer(store);
        long[] offsets = {300, 7, 42, 1000, 256};
        List<String> items = new ArrayList<>();
        for (long o : offsets) {
            String item = "offset-" + o;
            items.add(item);
            buffer.put(o, item);
        }
        assertThat(buffer.size()).isEqualTo(5);

        // When full batches of two are drained
        List<List<String>> batches = new ArrayList<>();
        buffer.drain(2, Long.MAX_VALUE, false, batches::add);

        // Then they come by offset, are the very objects put (nothing decoded), and leave the store
        assertThat(batches).containsExactly(List.of("offset-7", "offset-42"), List.of("offset-256", "offset-300"));
        assertThat(batches.get(0).get(0)).isSameAs(items.get(1));
        assertThat(decoded).hasValue(0);
        assertThat(buffer.size()).isEqualTo(1);
        assertThat(store.approximateNumEntries()).isEqualTo(1);

        // And a buffer opened on the same store after a restart restores the rest from it, decoding it
        BatchBuffer<String> restarted = buffer(store);
        assertThat(restarted.size()).isEqualTo(1);
        batches.clear();
        restarted.drain(2, Long.MAX_VALUE, false, batches::add);
        assertThat(batches).as("a partial batch waits for linger").isEmpty();
        restarted.drain(2, Long.MAX_VALUE, true, batches::add);
        assertThat(batches).containsExactly(List.of("offset-1000"));
        assertThat(decoded).hasValue(1);
        assertThat(restarted.size()).isZero();
        assertThat(store.approximateNumEntries()).isZero();
    }

    @Test
    void shouldKeepTakenBatchesInTheStoreUntilReleasedAndTakeTheNextOnesAfterThem() {
        // Given six records in a fresh buffer
        KeyValueStore<Bytes, byte[]> store = store();
        BatchBuffer<String> buffer = buffer(store);
        for (long o = 10; o < 16; o++) {
            buffer.put(o, "offset-" + o);
        }

        // When two batches of two are taken, as batches in flight are
        BatchBuffer.Taken<String> first = buffer.take(2, Long.MAX_VALUE, false, StageTimer.NONE);
        BatchBuffer.Taken<String> second = buffer.take(2, Long.MAX_VALUE, false, StageTimer.NONE);

        // Then each takes the oldest not yet taken, and both stay in the store and in the size
        assertThat(first.items()).containsExactly("offset-10", "offset-11");
        assertThat(second.items()).containsExactly("offset-12", "offset-13");
        assertThat(buffer.size()).isEqualTo(6);
        assertThat(buffer.available()).isEqualTo(2);
        assertThat(buffer.take(4, Long.MAX_VALUE, false, StageTimer.NONE)).as("two left: no full batch of four")
                .isNull();
        assertThat(store.approximateNumEntries()).isEqualTo(6);

        // And a crash before release restores all six, taken ones first
        List<List<String>> restored = new ArrayList<>();
        buffer(store).drain(6, Long.MAX_VALUE, false, restored::add);
        assertThat(restored).containsExactly(List.of("offset-10", "offset-11", "offset-12", "offset-13",
                "offset-14", "offset-15"));
    }

    @Test
    void shouldDeleteOnlyReleasedBatchesAndStartOverOnceNoneIsTaken() {
        KeyValueStore<Bytes, byte[]> store = store();
        BatchBuffer<String> buffer = buffer(store);
        for (long o = 0; o < 5; o++) {
            buffer.put(o, "offset-" + o);
        }
        BatchBuffer.Taken<String> first = buffer.take(2, Long.MAX_VALUE, false, StageTimer.NONE);
        BatchBuffer.Taken<String> second = buffer.take(2, Long.MAX_VALUE, false, StageTimer.NONE);

        buffer.release(first, StageTimer.NONE);
        assertThat(buffer.size()).isEqualTo(3);
        assertThat(store.approximateNumEntries()).isEqualTo(3);
        assertThat(store.get(first.keys().get(0))).isNull();
        assertThat(store.get(second.keys().get(0))).isNotNull();

        buffer.release(second, StageTimer.NONE);
        buffer.put(5, "offset-5");
        assertThat(buffer.take(1, Long.MAX_VALUE, true, StageTimer.NONE).items()).containsExactly("offset-4");
        assertThat(buffer.take(5, Long.MAX_VALUE, true, StageTimer.NONE).items()).containsExactly("offset-5");
        assertThat(buffer.take(5, Long.MAX_VALUE, true, StageTimer.NONE)).isNull();
    }

    @Test
    void shouldEndABatchAtItsByteBoundAndCountRestoredBytes() {
        // Given entries of 10, 10, 30 and 10 bytes (stored as UTF-8) and a bound of 25 bytes a batch
        KeyValueStore<Bytes, byte[]> store = store();
        BatchBuffer<String> buffer = buffer(store);
        buffer.put(1, "a".repeat(10));
        assertThat(buffer.full(100, 25)).as("10 bytes: neither bound reached").isFalse();
        assertThat(buffer.take(100, 25, false, StageTimer.NONE)).isNull();
        buffer.put(2, "b".repeat(10));
        buffer.put(3, "c".repeat(30));
        buffer.put(4, "d".repeat(10));
        assertThat(buffer.full(100, 25)).as("60 bytes waiting: full by bytes, not by count").isTrue();

        // Then a batch stops before the entry that would take it past the bound, and an entry larger than the
        // bound still makes a batch on its own
        assertThat(buffer.take(100, 25, false, StageTimer.NONE).items()).containsExactly("a".repeat(10),
                "b".repeat(10));
        assertThat(buffer.take(100, 25, false, StageTimer.NONE).items()).containsExactly("c".repeat(30));
        assertThat(buffer.full(100, 25)).as("10 bytes left").isFalse();

        // And a restarted buffer counts the bytes it restores
        BatchBuffer<String> restarted = buffer(store);
        assertThat(restarted.full(100, 50)).as("all 60 bytes are back in the store").isTrue();
        assertThat(restarted.full(100, 61)).isFalse();
    }
}
