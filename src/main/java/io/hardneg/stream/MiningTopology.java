package io.hardneg.stream;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.hardneg.config.HardnegConfig;
import io.hardneg.mining.Distances;
import io.hardneg.mining.MemoryBank;
import io.hardneg.mining.MiningRules;
import io.hardneg.mining.TripletMiner;
import io.hardneg.model.ModelProvider;
import java.util.Map;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;

/**
 * The service's topology: images → embed (batched) → embeddings, and for labeled images → mine against the
 * global memory bank → hard-negatives and embedding-bank; bad input → images.dlq.
 */
public final class MiningTopology {

    static final String SOURCE = "images-source";
    static final String PROCESSOR = "embed-and-mine";
    static final String EMBEDDINGS_SINK = "embeddings-sink";
    static final String HARD_NEGATIVES_SINK = "hard-negatives-sink";
    static final String BANK_SINK = "embedding-bank-sink";
    static final String DLQ_SINK = "dlq-sink";

    /** Room for one image at the configured limit plus our own fields, in the batch buffer's changelog. */
    private static final int CHANGELOG_OVERHEAD = 64 * 1024;

    private MiningTopology() {
    }

    /** Builds the topology around a bank sized for the serving model's embedding dimension. */
    public static Topology build(HardnegConfig config, ModelProvider models, MemoryBank bank, PipelineObserver observer) {
        HardnegConfig.Mining m = config.mining();
        MiningRules rules = new MiningRules(m.alpha(), m.policy(), m.positivesPerAnchor(), m.negativesPerPositive());
        ObjectMapper mapper = new ObjectMapper();
        Topology t = new Topology();
        t.addSource(SOURCE, new ByteArrayDeserializer(), new ByteArrayDeserializer(), Topics.IMAGES.name());
        t.addProcessor(PROCESSOR, () -> new EmbedMineProcessor(config, models, observer,
                new TripletMiner(rules, Distances.create()), new TripletJson(mapper, config.output().includeImages())),
                SOURCE);
        t.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(EmbedMineProcessor.PENDING_STORE),
                        Serdes.Bytes(), Serdes.ByteArray())
                .withLoggingEnabled(Map.of("max.message.bytes",
                        Integer.toString(config.limits().maxImageBytes() + CHANGELOG_OVERHEAD))), PROCESSOR);
        ByteArraySerializer bytes = new ByteArraySerializer();
        t.addSink(EMBEDDINGS_SINK, Topics.EMBEDDINGS.name(), bytes, bytes, PROCESSOR);
        t.addSink(HARD_NEGATIVES_SINK, Topics.HARD_NEGATIVES.name(), bytes, bytes, PROCESSOR);
        t.addSink(BANK_SINK, Topics.EMBEDDING_BANK.name(), bytes, bytes, PROCESSOR);
        t.addSink(DLQ_SINK, Topics.DLQ.name(), bytes, bytes, PROCESSOR);
        t.addGlobalStore(new MemoryBankStore.Builder(bank),
                "embedding-bank-source", new StringDeserializer(), new ByteArrayDeserializer(),
                Topics.EMBEDDING_BANK.name(), "embedding-bank-updater", BankUpdateProcessor::new);
        return t;
    }
}
