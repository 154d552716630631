package io.hardneg.stream;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.hardneg.config.HardnegConfig;
import io.hardneg.mining.Backpressure;
import io.hardneg.mining.Distances;
import io.hardneg.mining.LabelBudget;
import io.hardneg.mining.MemoryBank;
import io.hardneg.mining.MiningGuards;
import io.hardneg.mining.MiningRules;
import io.hardneg.mining.NegativeSampling;
import io.hardneg.mining.TripletMiner;
import io.hardneg.model.ModelProvider;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.state.Stores;

/**
 * The service's topology: images → embed (batched) → embeddings, and for labeled images → mine against the
 * global memory bank → hard-negatives and embedding-bank (suspected mislabels → suspect-labels instead); bad
 * input → images.dlq.
 */
public final class MiningTopology {

    static final String SOURCE = "images-source";
    static final String PROCESSOR = "embed-and-mine";
    /** The batch buffer's changelogged store, which the skeleton's processor reads with {@link BatchBuffer}. */
    public static final String PENDING_STORE = "pending-images";
    public static final String EMBEDDINGS_SINK = "embeddings-sink";
    static final String HARD_NEGATIVES_SINK = "hard-negatives-sink";
    public static final String BANK_SINK = "embedding-bank-sink";
    static final String DLQ_SINK = "dlq-sink";
    static final String SUSPECT_SINK = "suspect-labels-sink";

    /** Room for one image at the configured limit plus our own fields, in the batch buffer's changelog. */
    private static final int CHANGELOG_OVERHEAD = 64 * 1024;
    static final int BUFFER_SEGMENT_BYTES = 64 * 1024 * 1024;
    static final long BUFFER_SEGMENT_MS = 10 * 60_000L;
    static final long BUFFER_TOMBSTONE_MS = 10 * 60_000L;

    private MiningTopology() {
    }

    /** Builds the topology around a bank sized for the serving model's embedding dimension. */
    public static Topology build(HardnegConfig config, ModelProvider models, MemoryBank bank,
                                 PipelineObserver observer) {
        return build(config, models, bank, observer, Backpressure.off());
    }

    /** As above, with the instance's {@code backpressure} (fed by a consumer-lag monitor) slowing the miner. */
    public static Topology build(HardnegConfig config, ModelProvider models, MemoryBank bank, PipelineObserver observer,
                                 Backpressure backpressure) {
        return build(config, models, bank, observer, backpressure, StageTimer.NONE);
    }

    /** As above, with the processor's work timed part by part by {@code timer} (the bench's). */
    public static Topology build(HardnegConfig config, ModelProvider models, MemoryBank bank, PipelineObserver observer,
                                 Backpressure backpressure, StageTimer timer) {
        MiningRules rules = rules(config.mining());
        // One budget for the instance's tasks: they mine against one bank, so they would compute the same one.
        LabelBudget budget = budget(config.mining(), observer::anchorBudget);
        ObjectMapper mapper = new ObjectMapper();
        Supplier<MiningGuards> guards = MiningGuards.perTask(config, backpressure, observer);
        return skeleton(config, bank, () -> new EmbedMineProcessor(config, models, observer,
                new TripletMiner(rules, Distances.create(), Runtime.getRuntime().availableProcessors(), budget),
                new TripletJson(mapper, config.output().includeImages(),
                        config.output().maxRecordBytes()),
                new SuspectJson(mapper, config.mining().suspect().includeImage()), guards.get(), timer));
    }

    /**
     * The service's shape around any processor: the {@code images} source, the changelogged batch buffer
     * ({@link #PENDING_STORE}), the sinks and the global bank kept in step. The bench runs Kafka Streams' share of
     * the work alone in it, with a processor that neither decodes, embeds nor mines.
     */
    public static Topology skeleton(HardnegConfig config, MemoryBank bank,
                                    ProcessorSupplier<byte[], byte[], byte[], byte[]> processor) {
        Topology t = new Topology();
        t.addSource(SOURCE, new ByteArrayDeserializer(), new ByteArrayDeserializer(), Topics.IMAGES.name());
        t.addProcessor(PROCESSOR, processor, SOURCE);
        t.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(PENDING_STORE),
                        Serdes.Bytes(), Serdes.ByteArray())
                .withLoggingEnabled(bufferChangelogConfig(config)), PROCESSOR);
        ByteArraySerializer bytes = new ByteArraySerializer();
        t.addSink(EMBEDDINGS_SINK, Topics.EMBEDDINGS.name(), bytes, bytes, PROCESSOR);
        t.addSink(HARD_NEGATIVES_SINK, Topics.HARD_NEGATIVES.name(), bytes, bytes, PROCESSOR);
        t.addSink(BANK_SINK, Topics.EMBEDDING_BANK.name(), bytes, bytes, PROCESSOR);
        t.addSink(DLQ_SINK, Topics.DLQ.name(), bytes, bytes, PROCESSOR);
        t.addSink(SUSPECT_SINK, Topics.SUSPECT_LABELS.name(), bytes, bytes, PROCESSOR);
        t.addGlobalStore(new MemoryBankStore.Builder(bank),
                "embedding-bank-source", new StringDeserializer(), new ByteArrayDeserializer(),
                Topics.EMBEDDING_BANK.name(), "embedding-bank-updater", BankUpdateProcessor::new);
        return t;
    }

    /**
     * The batch buffer's changelog: every image is put and then deleted within a commit interval, so the topic is
     * almost all tombstones. Kafka's defaults (1 GiB segments, tombstones kept a day) let it grow by the input's
     * volume for a day before anything is cleaned; small segments and a short tombstone retention keep it near the
     * live buffer. Ten minutes is still far longer than restoring this store takes, which is the bound Kafka sets
     * on {@code delete.retention.ms} for a reader that starts from the beginning.
     */
    static Map<String, String> bufferChangelogConfig(HardnegConfig config) {
        int maxRecord = config.input().maxImageBytes() + CHANGELOG_OVERHEAD;
        return Map.of(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Integer.toString(maxRecord),
                // a segment must hold the largest record the topic accepts
                TopicConfig.SEGMENT_BYTES_CONFIG, Integer.toString(Math.max(BUFFER_SEGMENT_BYTES, maxRecord)),
                TopicConfig.SEGMENT_MS_CONFIG, Long.toString(BUFFER_SEGMENT_MS),
                TopicConfig.DELETE_RETENTION_MS_CONFIG, Long.toString(BUFFER_TOMBSTONE_MS));
    }

    /** The configured anchor budget, telling {@code listener} each new one; null when every anchor mines. */
    public static LabelBudget budget(HardnegConfig.Mining m, Consumer<Map<String, LabelBudget.Entry>> listener) {
        return m.anchorShare() < 1.0 ? new LabelBudget(new LabelBudget.Rules(m.anchorShare(),
                m.anchorBudget().k(), m.anchorBudget().sample()), Distances.create(), listener) : null;
    }

    /** The miner's rules from the configuration. */
    public static MiningRules rules(HardnegConfig.Mining m) {
        NegativeSampling negative = switch (m.negative()) {
            case HARDEST -> new NegativeSampling.Hardest();
            case SOFT -> new NegativeSampling.Soft(m.soft().beta());
            case DISTANCE_WEIGHTED -> new NegativeSampling.DistanceWeighted(m.distanceWeighted().cutoff(),
                    m.distanceWeighted().nonzeroLossCutoff());
        };
        return new MiningRules(m.alpha(), m.policy(), m.positivesPerAnchor(), m.negativesPerPositive(), m.positive(),
                negative, m.gapFloor());
    }
}
