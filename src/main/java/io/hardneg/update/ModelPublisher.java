package io.hardneg.update;

import io.hardneg.model.EmbeddingModel;
import io.hardneg.model.ModelInfo;
import io.hardneg.model.ModelLoadException;
import io.hardneg.model.ModelOptions;
import io.hardneg.model.ModelSource;
import io.hardneg.model.DeviceRequest;
import io.hardneg.stream.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Announces a model directory on {@code model-updates}, after checking locally that it loads. */
public final class ModelPublisher {

    /** Inline up to this many model bytes: base64 of it stays under the topic's 32 MiB limit with room to spare. */
    public static final int MAX_INLINE_BYTES = 22 << 20;

    private ModelPublisher() {
    }

    /** Builds the announcement for the model at {@code path} (a file or a Triton-style folder). */
    public static ModelAnnouncement announce(Path path, byte[] hmacKey) throws ModelLoadException {
        ModelSource source = ModelSource.path(path);
        ModelInfo info;
        try (EmbeddingModel m = EmbeddingModel.load(source, ModelOptions.defaults().withDevice(DeviceRequest.cpu()))) {
            info = m.info();
        }
        byte[] bytes = source.bytes();
        boolean inline = bytes.length <= MAX_INLINE_BYTES;
        String hmac = hmacKey == null ? null : HexFormat.of().formatHex(ModelVerifier.hmac(hmacKey, bytes));
        return new ModelAnnouncement(1, info.name(), info.version(), source.sha256(), hmac, bytes.length,
                inline ? Base64.getEncoder().encodeToString(bytes) : null,
                inline ? null : Path.of(source.origin()).toAbsolutePath().toString(), System.currentTimeMillis());
    }

    /** Sends the announcement (key = model name) and waits for the broker's acknowledgement. */
    public static void publish(String bootstrapServers, Map<String, String> overrides, ModelAnnouncement a)
            throws InterruptedException, ExecutionException, TimeoutException {
        Map<String, Object> p = new HashMap<>(overrides);
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(32 << 20));
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "30000");
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(Topics.MODEL_UPDATES.name(), a.name(), a.toJson()))
                    .get(Duration.ofSeconds(60).toMillis(), TimeUnit.MILLISECONDS);
        }
    }
}
