package io.hardneg.config;

import io.hardneg.model.DeviceRequest;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.StringJoiner;

/**
 * The whole service configuration, typed and validated once at start-up. Each record is filled by the keys of
 * one prefix ({@code input.*} fills {@link Input}, {@code mining.suspect.*} fills {@link Mining.Suspect}); every
 * key is declared in {@link ConfigKeys}.
 *
 * @param kafkaOverrides client/streams settings passed through from {@code kafka.*} keys (prefix removed)
 */
public record HardnegConfig(
        String applicationId,
        String bootstrapServers,
        Path modelPath,
        ModelUpdates modelUpdates,
        Inference inference,
        Input input,
        Mining mining,
        Dedup dedup,
        Bank bank,
        Output output,
        Streams streams,
        Replication replication,
        Http http,
        Map<String, String> kafkaOverrides) {

    public HardnegConfig {
        kafkaOverrides = Map.copyOf(kafkaOverrides);
    }

    /**
     * Like the record's own, every section included, but with Kafka secrets masked: configurations end up in logs.
     */
    @Override
    public String toString() {
        StringJoiner out = new StringJoiner(", ", "HardnegConfig[", "]");
        sections().forEach((name, value) -> out.add(name + "=" + value));
        return out.toString();
    }

    /**
     * Each component by name, in order, with {@code kafkaOverrides} masked ({@link ConfigLoader#redacted}). Read
     * from the record's components so a section added later cannot be left out of what is printed.
     */
    public Map<String, Object> sections() {
        Map<String, Object> out = new LinkedHashMap<>();
        for (RecordComponent c : HardnegConfig.class.getRecordComponents()) {
            out.put(c.getName(), c.getName().equals("kafkaOverrides") ? ConfigLoader.redacted(kafkaOverrides) : get(c));
        }
        return out;
    }

    private Object get(RecordComponent c) {
        try {
            return c.getAccessor().invoke(this);
        } catch (IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException("cannot read " + c.getName(), e);
        }
    }

    /**
     * Hot reload from the {@code model-updates} topic.
     *
     * @param hmacKeyFile file holding the shared HMAC key; when set, unsigned or wrongly signed models are refused
     */
    public record ModelUpdates(boolean enabled, Path hmacKeyFile) { }

    /**
     * Batched inference.
     *
     * @param batchMaxMs the time a batch's decode and inference may take, by the model's measured cost; 0 for no
     *                   bound but {@code batchMax}
     * @param overlap    whether a task's next batch is decoded and embedded on a worker thread while the stream thread
     *                   publishes the last one and commits
     */
    public record Inference(DeviceRequest device, int threads, boolean spin, int batchMax, long batchLingerMs,
                            long batchMaxMs, boolean overlap) { }

    /** {@code input.*}: limits on the input; anything over them is dead-lettered with its reason. */
    public record Input(int maxImageBytes, long maxPixels, int maxLabelLength, int maxHeaders) { }

    /**
     * Mining rules; see DESIGN.md "Mining, precisely".
     *
     * @param positive which eligible positives are taken
     * @param negative how a positive's negatives are chosen in its window
     * @param gapFloor τ: negatives with gap &lt; −τ are left out; {@code +∞} (the key's {@code none}) is no floor
     * @param anchorShare s: the mean share of labeled anchors that yield triplets, spent by label confusion
     */
    public record Mining(float alpha, MiningPolicy policy, int positivesPerAnchor, int negativesPerPositive,
                         RateLimit rateLimit, PositiveRule positive, NegativeRule negative, float gapFloor, Soft soft,
                         DistanceWeighted distanceWeighted, double anchorShare, AnchorBudget anchorBudget,
                         Suspect suspect, Quota quota, Backpressure backpressure) {

        /**
         * {@code mining.rate-limit.*}: a token bucket per anchor label, on event time.
         *
         * @param perLabel triplets per second per label (0 = off)
         */
        public record RateLimit(double perLabel, int burst) { }

        /** {@code mining.soft.*}: probability ∝ exp(−β·d_an). */
        public record Soft(double beta) { }

        /**
         * {@code mining.distance-weighted.*}: Euclidean distances clipped below at {@code cutoff}; weight 0 from
         * {@code nonzeroLossCutoff} on.
         */
        public record DistanceWeighted(double cutoff, double nonzeroLossCutoff) { }

        /**
         * {@code mining.anchor-budget.*}: label purity over each sampled row's k nearest rows.
         *
         * @param sample bank rows sampled per label
         */
        public record AnchorBudget(int k, int sample) { }

        /**
         * {@code mining.suspect.*}: suspected-mislabel routing; see docs/mining.md (Suspected mislabels).
         *
         * @param tau how much closer than the mean positive a negative must be to count as deep
         * @param k nearest negatives (and positives) compared
         * @param agreement share of the k negatives that must be deep and share one other label
         * @param minPositives bank rows of the anchor's label needed before an anchor is judged at all
         */
        public record Suspect(boolean enabled, float tau, int k, double agreement, int minPositives,
                             boolean includeImage) { }

        /**
         * {@code mining.quota.*}: a cap on published triplets per label per event-time window.
         *
         * @param perWindow triplets per label per window (0 = no cap)
         */
        public record Quota(int perWindow, long windowMs) { }

        /**
         * {@code mining.backpressure.*}: fewer triplets while the retraining topic's slowest consumer lags.
         *
         * @param maxLag records the slowest consumer of hard-negatives may lag before the miner slows (0 = off)
         * @param minFactor the lowest share of triplets still published
         */
        public record Backpressure(long maxLag, long intervalMs, double minFactor) { }
    }

    /**
     * The memory bank: K per label, B in all.
     *
     * @param maxImageBytes images larger than this travel to the bank (and so into triplets) without their bytes
     * @param imagesMaxBytes all images the bank keeps in memory, together; beyond it entries keep no image
     */
    public record Bank(int perLabel, int max, int maxImageBytes, long imagesMaxBytes) { }

    /**
     * The retraining topic's records.
     *
     * @param maxRecordBytes images are left out of a record (anchor's kept first) that would grow past this
     */
    public record Output(OutputFormat format, boolean includeImages, int maxRecordBytes) { }

    /**
     * How the topics hardneg creates are replicated: those of {@code topics/} at start-up and Kafka Streams' own
     * (changelogs, repartition). 0 keeps {@code topics/}' replicas and the broker's defaults.
     *
     * @param factor            replicas of every topic hardneg or Kafka Streams creates (0 = as declared)
     * @param minInsyncReplicas their {@code min.insync.replicas} (0 = the broker's default)
     */
    public record Replication(int factor, int minInsyncReplicas) { }

    /**
     * Kafka Streams settings we choose ourselves.
     *
     * @param threads stream threads per instance, or {@link ConfigKeys#STREAMS_THREADS_AUTO} for
     *                {@code io.hardneg.stream.StreamThreads}' rule
     */
    public record Streams(String processingGuarantee, long commitIntervalMs, int threads) { }

    /**
     * {@code dedup.*}: duplicate suppression.
     *
     * @param exactWindow distinct content hashes remembered (0 = off)
     * @param nearEpsilon squared L2 under which two negatives of one anchor label are near duplicates (0 = off)
     * @param nearWindow published negatives remembered per anchor label
     */
    public record Dedup(int exactWindow, float nearEpsilon, int nearWindow) { }

    /**
     * The embedded HTTP server.
     *
     * @param tokenFile file holding the access token the page, {@code /api/} and images need; null = none. Only the
     *                  path lives here: the token is read at start and never printed
     * @param isPublic  served beyond loopback without a token, on purpose
     */
    public record Http(String host, int port, Path tokenFile, boolean isPublic) {

        /** Loopback, no token: the default, and what tests and benchmarks use. */
        public Http(String host, int port) {
            this(host, port, null, false);
        }
    }
}
