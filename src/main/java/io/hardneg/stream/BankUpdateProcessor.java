package io.hardneg.stream;

import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/** Keeps the global memory bank in step with the {@code embedding-bank} topic. */
final class BankUpdateProcessor implements Processor<String, byte[], Void, Void> {

    private MemoryBankStore store;

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        store = context.getStateStore(MemoryBankStore.NAME);
    }

    @Override
    public void process(Record<String, byte[]> record) {
        store.apply(record.key(), record.value());
    }
}
