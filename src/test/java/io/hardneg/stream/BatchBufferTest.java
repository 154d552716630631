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

    @Test
    void shouldDrainInArrivalOrderAndDecodeOnlyWhatWasRestored() {
        // Given a store as a stream task has it, and five records put out of key order
        KeyValueStore<Bytes, byte[]> store = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore("pending"),
                Serdes.Bytes(), Serdes.ByteArray()).withLoggingDisabled().build();
        MockProcessorContext<Object, Object> context = new MockProcessorContext<>();
        store.init(context.getStateStoreContext(), store);
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
        buffer.drain(2, false, batches::add);

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
        restarted.drain(2, false, batches::add);
        assertThat(batches).as("a partial batch waits for linger").isEmpty();
        restarted.drain(2, true, batches::add);
        assertThat(batches).containsExactly(List.of("offset-1000"));
        assertThat(decoded).hasValue(1);
        assertThat(restarted.size()).isZero();
        assertThat(store.approximateNumEntries()).isZero();
    }
}
