package io.hardneg.config;

import io.hardneg.model.DeviceRequest;
import java.nio.file.Path;
import java.util.Map;

/**
 * The whole service configuration, typed and validated once at start-up.
 *
 * @param kafkaOverrides client/streams settings passed through from {@code kafka.*} keys (prefix removed)
 */
public record HardnegConfig(
        String applicationId,
        String bootstrapServers,
        Path modelPath,
        ModelUpdates modelUpdates,
        Inference inference,
        Limits limits,
        Mining mining,
        Bank bank,
        Output output,
        Streams streams,
        Http http,
        Map<String, String> kafkaOverrides) {

    public HardnegConfig {
        kafkaOverrides = Map.copyOf(kafkaOverrides);
    }

    /**
     * Hot reload from the {@code model-updates} topic.
     *
     * @param hmacKeyFile file holding the shared HMAC key; when set, unsigned or wrongly signed models are refused
     */
    public record ModelUpdates(boolean enabled, Path hmacKeyFile) { }

    /** Batched inference. */
    public record Inference(DeviceRequest device, int threads, int batchMax, long batchLingerMs) { }

    /** Input limits: anything over them is dead-lettered with its reason. */
    public record Limits(int maxImageBytes, long maxPixels, int maxLabelLength, int maxHeaders) { }

    /** Mining rules; see DESIGN.md "Mining, precisely". */
    public record Mining(float alpha, MiningPolicy policy, int positivesPerAnchor, int negativesPerPositive,
                         double perLabelRatePerSecond, int perLabelBurst) { }

    /** The memory bank: K per label, B in all. */
    public record Bank(int perLabel, int max) { }

    /** The retraining topic's records. */
    public record Output(OutputFormat format, boolean includeImages) { }

    /** Kafka Streams settings we choose ourselves. */
    public record Streams(String processingGuarantee, long commitIntervalMs, int threads) { }

    /** The embedded HTTP server. */
    public record Http(String host, int port) { }
}
