package io.hardneg.stream;

import io.hardneg.mining.MemoryBank;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.state.StoreBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The memory bank as a Kafka Streams global store: every instance holds the whole {@code embedding-bank}
 * topic in one {@link MemoryBank}, rebuilt from the topic at start-up.
 */
public final class MemoryBankStore implements StateStore {

    public static final String NAME = "memory-bank";

    private static final Logger LOG = LoggerFactory.getLogger(MemoryBankStore.class);

    private final MemoryBank bank;
    private volatile boolean open;

    MemoryBankStore(MemoryBank bank) {
        this.bank = bank;
    }

    public MemoryBank bank() {
        return bank;
    }

    /** Applies one bank-topic record: a value stores the entry, a tombstone removes it. */
    void apply(String key, byte[] value) {
        if (key == null) {
            return;
        }
        if (value == null) {
            bank.remove(key);
            return;
        }
        try {
            bank.put(key, BankRecordCodec.decode(value));
        } catch (IllegalArgumentException | java.nio.BufferUnderflowException e) {
            // A bank entry of another dimension (another model) or a corrupt one must not stop the global thread.
            LOG.warn("skipping bank entry {}: {}", key, e.getMessage());
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void init(StateStoreContext context, StateStore root) {
        context.register(root, (key, value) ->
                apply(key == null ? null : new String(key, StandardCharsets.UTF_8), value));
        open = true;
    }

    @Override
    public void flush() {
        // Nothing to flush: the topic is the store's only durable form.
    }

    @Override
    public void close() {
        open = false;
    }

    @Override
    public boolean persistent() {
        return false;
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    /** Builds the store; global stores are never changelogged (the source topic is their log). */
    public static final class Builder implements StoreBuilder<MemoryBankStore> {
        private final MemoryBank bank;

        /** The service owns the bank so that metrics and the live page can read it too. */
        public Builder(MemoryBank bank) {
            this.bank = bank;
        }

        @Override
        public StoreBuilder<MemoryBankStore> withCachingEnabled() {
            return this;
        }

        @Override
        public StoreBuilder<MemoryBankStore> withCachingDisabled() {
            return this;
        }

        @Override
        public StoreBuilder<MemoryBankStore> withLoggingEnabled(Map<String, String> config) {
            throw new UnsupportedOperationException("the memory bank is restored from its source topic");
        }

        @Override
        public StoreBuilder<MemoryBankStore> withLoggingDisabled() {
            return this;
        }

        @Override
        public MemoryBankStore build() {
            return new MemoryBankStore(bank);
        }

        @Override
        public Map<String, String> logConfig() {
            return Map.of();
        }

        @Override
        public boolean loggingEnabled() {
            return false;
        }

        @Override
        public String name() {
            return NAME;
        }
    }
}
