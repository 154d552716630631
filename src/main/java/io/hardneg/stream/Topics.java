package io.hardneg.stream;

import java.util.List;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * Every topic hardneg reads or writes, named once with its serdes; {@code topics/} declares the same names
 * with partitions and configs (a test keeps the two in step).
 *
 * <p>Keys and values travel as bytes: image ids are UTF-8, values are images, float vectors or JSON,
 * encoded by the codecs of this package.
 */
public final class Topics {

    /** Encoded images in; key = image id, header {@code label}. */
    public static final TopicSpec IMAGES = new TopicSpec("images", Serdes.ByteArray(), Serdes.ByteArray());
    /** Little-endian float32 embeddings out; key = image id. */
    public static final TopicSpec EMBEDDINGS = new TopicSpec("embeddings", Serdes.ByteArray(), Serdes.ByteArray());
    /** The retraining topic: JSON triplets or pairs; key = anchor id. */
    public static final TopicSpec HARD_NEGATIVES = new TopicSpec("hard-negatives", Serdes.ByteArray(), Serdes.ByteArray());
    /** Compacted bank of recent embeddings; key = {@code label/slot}. */
    public static final TopicSpec EMBEDDING_BANK = new TopicSpec("embedding-bank", Serdes.String(), Serdes.ByteArray());
    /** Bad input: original key and bytes, headers {@code error.*}. */
    public static final TopicSpec DLQ = new TopicSpec("images.dlq", Serdes.ByteArray(), Serdes.ByteArray());
    /** Compacted model announcements; key = model name. */
    public static final TopicSpec MODEL_UPDATES = new TopicSpec("model-updates", Serdes.String(), Serdes.ByteArray());
    /** Suspected mislabels, kept out of the retraining topic; key = image id. */
    public static final TopicSpec SUSPECT_LABELS = new TopicSpec("suspect-labels", Serdes.ByteArray(), Serdes.ByteArray());

    public static final List<TopicSpec> ALL = List.of(IMAGES, EMBEDDINGS, HARD_NEGATIVES, EMBEDDING_BANK, DLQ,
            MODEL_UPDATES, SUSPECT_LABELS);

    private Topics() {
    }

    /** A topic's name and the serdes of its keys and values. */
    public record TopicSpec(String name, Serde<?> keySerde, Serde<?> valueSerde) {
    }
}
