package io.hardneg.bench;

import io.hardneg.config.HardnegConfig;
import io.hardneg.mining.EmbeddedImage;
import io.hardneg.mining.MemoryBank;
import io.hardneg.stream.BankRecordCodec;
import io.hardneg.stream.BatchBuffer;
import io.hardneg.stream.EmbeddingCodec;
import io.hardneg.stream.MemoryBankStore;
import io.hardneg.stream.RecordHeaderNames;
import io.hardneg.stream.Topics;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

/**
 * Kafka Streams' own ceiling for hardneg's shape: the same source, changelogged batch buffer, sinks, global bank
 * store, serdes and EOS as {@code MiningTopology}, but the processor neither decodes, embeds nor mines — each
 * drained record becomes a constant embedding and, when labeled, a bank entry.
 */
final class PassthroughTopology {

    static final String VERSION = "passthrough";
    private static final String STORE = "pending-images";

    private PassthroughTopology() {
    }

    static Topology build(HardnegConfig config, int dim, MemoryBank bank) {
        Topology t = new Topology();
        t.addSource("images-source", new ByteArrayDeserializer(), new ByteArrayDeserializer(), Topics.IMAGES.name());
        t.addProcessor("passthrough", () -> new Forwarder(config, dim, bank.perLabel()), "images-source");
        t.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(STORE), Serdes.Bytes(),
                Serdes.ByteArray()).withLoggingEnabled(Map.of("max.message.bytes",
                Integer.toString(config.input().maxImageBytes() + 64 * 1024))), "passthrough");
        ByteArraySerializer bytes = new ByteArraySerializer();
        t.addSink("embeddings-sink", Topics.EMBEDDINGS.name(), bytes, bytes, "passthrough");
        t.addSink("hard-negatives-sink", Topics.HARD_NEGATIVES.name(), bytes, bytes, "passthrough");
        t.addSink("embedding-bank-sink", Topics.EMBEDDING_BANK.name(), bytes, bytes, "passthrough");
        t.addSink("dlq-sink", Topics.DLQ.name(), bytes, bytes, "passthrough");
        t.addGlobalStore(new MemoryBankStore.Builder(bank), "embedding-bank-source", new StringDeserializer(),
                new ByteArrayDeserializer(), Topics.EMBEDDING_BANK.name(), "embedding-bank-updater", BankUpdater::new);
        return t;
    }

    /** A buffered record: what the real buffer keeps, minus the coordinates only dead-lettering needs. */
    private record Pending(byte[] key, byte[] label, long timestamp, byte[] image) {

        byte[] encode() {
            // key length | key | label length | label | timestamp | image length | image
            return ByteBuffer.allocate(12 + key.length + label.length + 8 + image.length)
                    .putInt(key.length).put(key).putInt(label.length).put(label).putLong(timestamp)
                    .putInt(image.length).put(image).array();
        }

        static Pending decode(byte[] bytes) {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            byte[] key = new byte[b.getInt()];
            b.get(key);
            byte[] label = new byte[b.getInt()];
            b.get(label);
            long ts = b.getLong();
            byte[] image = new byte[b.getInt()];
            b.get(image);
            return new Pending(key, label, ts, image);
        }
    }

    /** Buffers with the real processor's {@link BatchBuffer} (drained by batch or linger) and forwards constants. */
    private static final class Forwarder implements Processor<byte[], byte[], byte[], byte[]> {
        private final HardnegConfig config;
        private final int perLabel;
        private final float[] embedding;
        private final byte[] encoded;
        private ProcessorContext<byte[], byte[]> context;
        private BatchBuffer<Pending> pending;

        Forwarder(HardnegConfig config, int dim, int perLabel) {
            this.config = config;
            this.perLabel = perLabel;
            this.embedding = new float[dim];
            this.embedding[0] = 1f;
            this.encoded = EmbeddingCodec.encode(embedding);
        }

        @Override
        public void init(ProcessorContext<byte[], byte[]> context) {
            this.context = context;
            KeyValueStore<Bytes, byte[]> store = context.getStateStore(STORE);
            this.pending = new BatchBuffer<>(store, Pending::encode, Pending::decode);
            long linger = config.inference().batchLingerMs();
            if (linger > 0 && config.inference().batchMax() > 1) {
                context.schedule(Duration.ofMillis(linger), PunctuationType.WALL_CLOCK_TIME, ts -> drain(true));
            }
        }

        @Override
        public void process(Record<byte[], byte[]> record) {
            long offset = context.recordMetadata().orElseThrow().offset();
            Header label = record.headers().lastHeader(RecordHeaderNames.LABEL);
            pending.put(offset, new Pending(record.key() == null ? new byte[0] : record.key(),
                    label == null ? new byte[0] : label.value(), record.timestamp(), record.value()));
            if (pending.size() >= config.inference().batchMax() || config.inference().batchLingerMs() == 0) {
                drain(false);
            }
        }

        private void drain(boolean everything) {
            pending.drain(config.inference().batchMax(), everything, batch -> batch.forEach(this::forward));
        }

        private void forward(Pending p) {
            Headers h = new RecordHeaders();
            h.add(RecordHeaderNames.MODEL_VERSION, VERSION.getBytes(StandardCharsets.UTF_8));
            h.add(RecordHeaderNames.DIM, Integer.toString(embedding.length).getBytes(StandardCharsets.UTF_8));
            if (p.label().length > 0) {
                h.add(RecordHeaderNames.LABEL, p.label());
            }
            context.forward(new Record<>(p.key(), encoded, p.timestamp(), h), "embeddings-sink");
            if (p.label().length > 0) {
                String id = new String(p.key(), StandardCharsets.UTF_8);
                String l = new String(p.label(), StandardCharsets.UTF_8);
                EmbeddedImage e = new EmbeddedImage(id, l, VERSION, embedding, config.output().includeImages()
                        ? p.image() : null, p.timestamp());
                context.forward(new Record<>(MemoryBank.key(l, id, perLabel).getBytes(StandardCharsets.UTF_8),
                        BankRecordCodec.encode(e), p.timestamp()), "embedding-bank-sink");
            }
        }
    }

    /** The global bank kept in step, as the real topology does. */
    private static final class BankUpdater implements Processor<String, byte[], Void, Void> {
        private MemoryBank bank;

        @Override
        public void init(ProcessorContext<Void, Void> context) {
            MemoryBankStore store = context.getStateStore(MemoryBankStore.NAME);
            bank = store.bank();
        }

        @Override
        public void process(Record<String, byte[]> record) {
            if (record.value() == null) {
                bank.remove(record.key());
                return;
            }
            EmbeddedImage e = BankRecordCodec.decode(record.value());
            if (e.embedding().length == bank.dim()) {
                bank.put(record.key(), e);
            }
        }
    }
}
