package io.hardneg.bench;

import io.hardneg.config.HardnegConfig;
import io.hardneg.mining.EmbeddedImage;
import io.hardneg.mining.MemoryBank;
import io.hardneg.stream.BankRecordCodec;
import io.hardneg.stream.BatchBuffer;
import io.hardneg.stream.EmbeddingCodec;
import io.hardneg.stream.InferenceAhead;
import io.hardneg.stream.MiningTopology;
import io.hardneg.stream.RecordHeaderNames;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Kafka Streams' own ceiling for hardneg's shape: {@link MiningTopology#skeleton}'s source, changelogged batch
 * buffer, sinks and global bank store, run with the service's EOS settings, but a processor that neither decodes,
 * embeds nor mines — each drained record becomes a constant embedding and, when labeled, a bank entry.
 */
final class PassthroughTopology {

    static final String VERSION = "passthrough";

    private PassthroughTopology() {
    }

    static Topology build(HardnegConfig config, int dim, MemoryBank bank) {
        // The service's own skeleton (source, buffer store, sinks, global bank), so that the two cannot drift.
        return MiningTopology.skeleton(config, bank, () -> new Forwarder(config, dim, bank.perLabel()));
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
            KeyValueStore<Bytes, byte[]> store = context.getStateStore(MiningTopology.PENDING_STORE);
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
            if (pending.full(config.inference().batchMax(), InferenceAhead.MAX_BATCH_BYTES)
                    || config.inference().batchLingerMs() == 0) {
                drain(false);
            }
        }

        private void drain(boolean everything) {
            pending.drain(config.inference().batchMax(), InferenceAhead.MAX_BATCH_BYTES, everything,
                    batch -> batch.forEach(this::forward));
        }

        private void forward(Pending p) {
            Headers h = new RecordHeaders();
            h.add(RecordHeaderNames.MODEL_VERSION, VERSION.getBytes(StandardCharsets.UTF_8));
            h.add(RecordHeaderNames.DIM, Integer.toString(embedding.length).getBytes(StandardCharsets.UTF_8));
            if (p.label().length > 0) {
                h.add(RecordHeaderNames.LABEL, p.label());
            }
            context.forward(new Record<>(p.key(), encoded, p.timestamp(), h), MiningTopology.EMBEDDINGS_SINK);
            if (p.label().length > 0) {
                String id = new String(p.key(), StandardCharsets.UTF_8);
                String l = new String(p.label(), StandardCharsets.UTF_8);
                EmbeddedImage e = new EmbeddedImage(id, l, VERSION, embedding, config.output().includeImages()
                        ? p.image() : null, p.timestamp());
                context.forward(new Record<>(MemoryBank.key(l, id, perLabel).getBytes(StandardCharsets.UTF_8),
                        BankRecordCodec.encode(e), p.timestamp()), MiningTopology.BANK_SINK);
            }
        }
    }
}
