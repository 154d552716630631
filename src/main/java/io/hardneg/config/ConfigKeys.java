package io.hardneg.config;

import io.hardneg.model.DeviceRequest;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Every hardneg configuration key, each declared once with its default, type and meaning; in the order of
 * docs/configuration.md's table, which {@link ConfigDoc} generates from this list.
 *
 * <p>A key's prefix names the {@link HardnegConfig} record it fills: {@code mining.suspect.*} fills
 * {@code Mining.Suspect}, {@code input.*} fills {@code Input}, and so on.
 */
public final class ConfigKeys {

    private static final List<Setting<?>> ALL = new ArrayList<>();

    public static final Setting<String> APPLICATION_ID = add("application.id", "hardneg", Types.nonBlank(),
            "Kafka Streams application id: instances with the same id share the input partitions");
    public static final Setting<String> BOOTSTRAP_SERVERS = add("bootstrap.servers", "", Types.text(),
            "the Kafka cluster; empty for `demo` and `serve` without `--bootstrap-servers`, which start the "
                    + "in-process broker");

    public static final Setting<Path> MODEL_PATH = add("model.path", "", Types.optionalPath(),
            "a model folder (`<name>/<version>/model.onnx`) or an `.onnx` file; empty = the model shipped in the "
                    + "jar (`fashion-triplet` v1)");
    public static final Setting<Boolean> MODEL_UPDATES_ENABLED = add("model.updates.enabled", "true", Types.bool(),
            "follow `model-updates` and hot-swap verified versions");
    public static final Setting<Path> MODEL_HMAC_KEY_FILE = add("model.hmac-key-file", "", Types.optionalPath(),
            "when set, only models signed with this key (HMAC-SHA256) are accepted");

    public static final Setting<DeviceRequest> INFERENCE_DEVICE = add("inference.device", "auto",
            Types.parsed("one of auto, cpu, cuda, cuda:<id>", DeviceRequest::parse),
            "`auto`: CUDA if it loads, else CPU (logged)");
    public static final Setting<Integer> INFERENCE_THREADS = add("inference.threads", "0", Types.intIn(0, 1024),
            "ONNX Runtime intra-op threads; 0 = one per available core "
                    + "([decision 0005](decisions/0005-onnx-runtime-intra-op-threads-and-spinning.md))");
    public static final Setting<Boolean> INFERENCE_SPIN = add("inference.spin", "false", Types.bool(),
            "let ONNX Runtime's idle intra-op threads busy-wait for the next batch (ONNX Runtime's own default is "
                    + "on; off leaves those cores to Kafka's threads, "
                    + "[decision 0005](decisions/0005-onnx-runtime-intra-op-threads-and-spinning.md))");
    public static final Setting<Integer> INFERENCE_BATCH_MAX = add("inference.batch.max", "512",
            Types.intIn(1, 65_536), "images per inference batch (Triton's `max_batch_size`); a batch also holds at "
                    + "most 8 MiB of images, and Streams buffers at most min(this, 64) records a partition (see "
                    + "[operations.md](operations.md#heap-budget))");
    public static final Setting<Long> INFERENCE_BATCH_LINGER_MS = add("inference.batch.linger.ms", "20",
            Types.longIn(0, 60_000), "how long a partial batch may wait (Triton's `max_queue_delay`)");
    public static final Setting<Long> INFERENCE_BATCH_MAX_MS = add("inference.batch.max-ms", "1000",
            Types.longIn(0, 60_000), "a batch holds at most the images the model decodes and embeds in this long, by "
                    + "its measured time per image (waits for the model included): a stream thread's wait for a heavy "
                    + "model's batch, inside its transaction, stays near this; 0: only `inference.batch.max` bounds a "
                    + "batch ([decision 0015](decisions/0015-two-stream-threads-by-default.md))");
    public static final Setting<Boolean> INFERENCE_OVERLAP = add("inference.overlap", "true", Types.bool(),
            "decode and embed each task's next batch on a worker thread while the stream thread publishes the last "
                    + "one and commits (batches in flight stay in the changelogged buffer until published)");

    public static final Setting<Integer> INPUT_MAX_BYTES = add("input.max-bytes", Integer.toString(10 << 20),
            Types.intIn(1, Integer.MAX_VALUE - 8), "10 MiB; larger values are dead-lettered `TOO_LARGE`");
    public static final Setting<Long> INPUT_MAX_PIXELS = add("input.max-pixels", Long.toString(16L << 20),
            Types.longIn(1, Long.MAX_VALUE),
            "16 Mi pixels; larger images are refused from their header, before decoding (`TOO_MANY_PIXELS`)");
    public static final Setting<Integer> INPUT_LABEL_MAX_LENGTH = add("input.label.max-length", "128",
            Types.intIn(1, 10_000),
            "`label` headers longer than this many bytes (UTF-8) are dead-lettered `INVALID_LABEL`");
    public static final Setting<Integer> INPUT_HEADERS_MAX = add("input.headers.max", "64", Types.intIn(1, 100_000),
            "records with more headers are dead-lettered `TOO_MANY_HEADERS`");

    public static final Setting<Float> MINING_ALPHA = add("mining.alpha", "0.2", Types.floatAbove(0f, 4f),
            "the triplet margin α (FaceNet), squared L2 between unit vectors");
    public static final Setting<MiningPolicy> MINING_POLICY = add("mining.policy", "all",
            Types.choice(MiningPolicy.class, "semihard", "hard", "all"),
            "`hard` (gap < 0), `semihard` (0 ≤ gap < α) or `all` (gap < α)");
    public static final Setting<Integer> MINING_POSITIVES_PER_ANCHOR = add("mining.positives-per-anchor", "1",
            Types.intIn(1, 1000), "positives per anchor, chosen by `mining.positive`");
    public static final Setting<Integer> MINING_NEGATIVES_PER_POSITIVE = add("mining.negatives-per-positive", "3",
            Types.intIn(1, 1000), "the AP:AN ratio 1:K, chosen by `mining.negative` within the policy");
    // Chosen by the flywheel experiment on its validation split (docs/decisions/0008-mining-defaults.md): a random
    // positive, soft negatives above a gap floor, a third of the anchors spent on confused labels. The original
    // rule is farthest / hardest / none / 1.0.
    public static final Setting<PositiveRule> MINING_POSITIVE = add("mining.positive", "random",
            Types.choice(PositiveRule.class, "farthest", "nearest", "random"),
            "which of the anchor's positives: `random` is uniform, without replacement "
                    + "([mining-rules.md](mining-rules.md))");
    public static final Setting<NegativeRule> MINING_NEGATIVE = add("mining.negative", "soft",
            Types.choice(NegativeRule.class, "hardest", "soft", "distance-weighted"),
            "`soft` is ∝ exp(−β·d_an), `distance-weighted` is Wu et al. 2017; drawn without replacement among the "
                    + "window's negatives");
    public static final Setting<Float> MINING_GAP_FLOOR = add("mining.gap-floor", "0.3",
            Types.floatInOr("none", Float.POSITIVE_INFINITY, 0f, 4f),
            "τ: negatives with gap < −τ are left out (deep ones are the mislabel detector's business)");
    public static final Setting<Double> MINING_SOFT_BETA = add("mining.soft.beta", "5", Types.doubleIn(0.0, 1e6),
            "β of `soft`: 0 is uniform, large approaches `hardest`");
    public static final Setting<Double> MINING_DISTANCE_WEIGHTED_CUTOFF = add("mining.distance-weighted.cutoff",
            "0.5", Types.doubleAbove(0.0, 2.0), "`distance-weighted`: Euclidean distances clipped below at this");
    public static final Setting<Double> MINING_DISTANCE_WEIGHTED_NONZERO_LOSS_CUTOFF = add(
            "mining.distance-weighted.nonzero-loss-cutoff", "1.4", Types.doubleAbove(0.0, 2.0),
            "`distance-weighted`: negatives this far (Euclidean) or farther weigh 0; must be above the cutoff");
    public static final Setting<Double> MINING_ANCHOR_SHARE = add("mining.anchor-share", "0.3",
            Types.doubleAbove(0.0, 1.0), "s: mean share of labeled images that become anchors, spent per label in "
                    + "proportion to 1 − kNN purity of its bank rows (1: every anchor, no budget)");
    public static final Setting<Integer> MINING_ANCHOR_BUDGET_K = add("mining.anchor-budget.k", "10",
            Types.intIn(1, 1000), "neighbours per sampled bank row for a label's purity");
    public static final Setting<Integer> MINING_ANCHOR_BUDGET_SAMPLE = add("mining.anchor-budget.sample", "64",
            Types.intIn(1, 100_000), "bank rows sampled per label for its purity");
    public static final Setting<Double> MINING_RATE_LIMIT_PER_LABEL = add("mining.rate-limit.per-label", "200",
            Types.doubleIn(0.0, 1e9), "triplets/s per anchor label (token bucket on event time; 0 = off)");
    public static final Setting<Integer> MINING_RATE_LIMIT_BURST = add("mining.rate-limit.burst", "400",
            Types.intIn(1, 1_000_000_000), "token bucket size");
    public static final Setting<Boolean> MINING_SUSPECT_ENABLED = add("mining.suspect.enabled", "true", Types.bool(),
            "route suspected mislabels to `suspect-labels` instead of mining them "
                    + "([mining.md](mining.md#suspected-mislabels))");
    public static final Setting<Float> MINING_SUSPECT_TAU = add("mining.suspect.tau", "1.0", Types.floatIn(0f, 4f),
            "τ: how deep inside another class a negative must be, squared L2");
    public static final Setting<Integer> MINING_SUSPECT_K = add("mining.suspect.k", "6", Types.intIn(1, 1000),
            "k nearest positives and negatives consulted");
    public static final Setting<Double> MINING_SUSPECT_AGREEMENT = add("mining.suspect.agreement", "0.6",
            Types.doubleIn(0.01, 1.0), "share of k that must be deep and agree on one label");
    public static final Setting<Integer> MINING_SUSPECT_MIN_POSITIVES = add("mining.suspect.min-positives", "40",
            Types.intIn(1, 1_000_000), "bank rows of the anchor's own label needed before it is judged at all "
                    + "(a bank still filling up flags good labels)");
    public static final Setting<Boolean> MINING_SUSPECT_INCLUDE_IMAGE = add("mining.suspect.include-image", "true",
            Types.bool(), "put the anchor's image (base64) in the `suspect-labels` record");
    public static final Setting<Integer> MINING_QUOTA_PER_WINDOW = add("mining.quota.per-window", "0",
            Types.intIn(0, 1_000_000_000), "triplets per anchor label per event-time window (0 = no cap)");
    public static final Setting<Long> MINING_QUOTA_WINDOW_MS = add("mining.quota.window.ms", "60000",
            Types.longIn(1, 86_400_000L), "the quota window's length, event time");
    public static final Setting<Long> MINING_BACKPRESSURE_MAX_LAG = add("mining.backpressure.max-lag", "0",
            Types.longIn(0, Long.MAX_VALUE),
            "lag bound of `hard-negatives`' slowest consumer group, in records (0 = off, no Admin client)");
    public static final Setting<Long> MINING_BACKPRESSURE_INTERVAL_MS = add("mining.backpressure.interval.ms",
            "5000", Types.longIn(100, 3_600_000), "how often the lag is measured");
    public static final Setting<Double> MINING_BACKPRESSURE_MIN_FACTOR = add("mining.backpressure.min-factor",
            "0.05", Types.doubleIn(0.001, 1.0), "the lowest share of triplets still published under backpressure");

    public static final Setting<Integer> DEDUP_EXACT_WINDOW = add("dedup.exact.window", "100000",
            Types.intIn(0, 10_000_000),
            "distinct image hashes remembered for exact-duplicate suppression (0 = off; ~100 B each)");
    public static final Setting<Float> DEDUP_NEAR_EPSILON = add("dedup.near.epsilon", "0.01", Types.floatIn(0f, 4f),
            "ε for near-duplicate negatives, squared L2 (0 = off)");
    public static final Setting<Integer> DEDUP_NEAR_WINDOW = add("dedup.near.window", "256", Types.intIn(1, 100_000),
            "published negatives remembered per anchor label");

    public static final Setting<Integer> BANK_PER_LABEL = add("bank.per-label", "256", Types.intIn(1, 1_000_000),
            "K: bank slots per label (compaction on `label/slot` keeps at most K)");
    public static final Setting<Integer> BANK_MAX = add("bank.max", "20000", Types.intIn(1, 10_000_000),
            "B: bank rows in all, allocated once at start; must be ≥ `bank.per-label`");
    public static final Setting<Integer> BANK_MAX_IMAGE_BYTES = add("bank.max-image-bytes",
            Integer.toString(256 << 10), Types.intIn(0, 64 << 20),
            "256 KiB; larger images travel to the bank (and so into triplets) without their bytes");
    public static final Setting<Long> BANK_IMAGES_MAX_BYTES = add("bank.images.max-bytes", Long.toString(64L << 20),
            Types.longIn(0, Long.MAX_VALUE),
            "64 MiB: all images the bank keeps, together; beyond it entries keep only their embedding");

    public static final Setting<OutputFormat> OUTPUT_FORMAT = add("output.format", "triplets",
            Types.choice(OutputFormat.class, "triplets", "pairs"),
            "`pairs` is for siamese/contrastive trainers ([topics.md](topics.md#hard-negatives))");
    public static final Setting<Boolean> OUTPUT_INCLUDE_IMAGES = add("output.include-images", "true", Types.bool(),
            "put the three images (base64) in each record");
    public static final Setting<Integer> OUTPUT_MAX_RECORD_BYTES = add("output.max-record-bytes",
            Integer.toString(4 << 20), Types.intIn(64 << 10, 1 << 30),
            "4 MiB; images that would grow a record past this are left out (`\"images_omitted\": true`)");

    public static final Setting<String> STREAMS_PROCESSING_GUARANTEE = add("streams.processing.guarantee",
            "exactly_once_v2", Types.choice(List.of("exactly_once_v2", "at_least_once"), n -> n),
            "Kafka Streams' processing guarantee");
    public static final Setting<Long> STREAMS_COMMIT_INTERVAL_MS = add("streams.commit.interval.ms", "50",
            Types.longIn(1, 3_600_000), "EOS transaction length: an output is visible only once its transaction "
                    + "commits, so this bounds the wait ([decision 0002](decisions/0002-commit-interval.md))");
    /** {@link #STREAMS_THREADS}' {@code auto}, as the configuration holds it. */
    public static final int STREAMS_THREADS_AUTO = 0;
    // auto by default: two threads halved the shipped model's p99 at half load on 2 cores. Before batches were
    // bounded in time and CPU runs admitted one pool at a time, an inference-heavy model fenced a thread's producer
    // (docs/decisions/0015-two-stream-threads-by-default.md).
    public static final Setting<Integer> STREAMS_THREADS = add("streams.threads", "auto",
            Types.intInOr("auto", STREAMS_THREADS_AUTO, 1, 64),
            "stream threads per instance; `auto` = min(available cores, partitions of `images`) "
                    + "([decision 0015](decisions/0015-two-stream-threads-by-default.md))");
    public static final Setting<Integer> TOPICS_REPLICATION_FACTOR = add("topics.replication-factor", "0",
            Types.intIn(0, Short.MAX_VALUE), "replicas of every topic hardneg creates: those of `topics/` at start-up "
                    + "(instead of their `spec.replicas`, 1) and Kafka Streams' changelogs and repartition topics (its "
                    + "`replication.factor`); 0 = as declared, and the broker's default for Streams' own. 3 on a "
                    + "cluster of 3+ brokers ([operations.md](operations.md#a-multi-broker-cluster))");
    public static final Setting<Integer> TOPICS_MIN_INSYNC_REPLICAS = add("topics.min-insync-replicas", "0",
            Types.intIn(0, Short.MAX_VALUE), "`min.insync.replicas` of those topics (Streams': "
                    + "`topic.min.insync.replicas`); 0 = the broker's default; at most `topics.replication-factor`");

    public static final Setting<String> HTTP_HOST = add("http.host", "127.0.0.1", Types.nonBlank(),
            "address of `/metrics`, `/health` and the live page `/` (read-only); other than `127.x.x.x`, `::1` or "
                    + "`localhost` only with `http.auth.token-file` or `http.public=true`");
    public static final Setting<Integer> HTTP_PORT = add("http.port", "8080", Types.intIn(0, 65_535), "their port");
    public static final Setting<Path> HTTP_AUTH_TOKEN_FILE = add("http.auth.token-file", "", Types.optionalPath(),
            "file holding an access token (read once at start, whitespace trimmed); when set, everything but "
                    + "`/metrics` and `/health` needs `Authorization: Bearer <token>` or `?token=<token>`");
    public static final Setting<Boolean> HTTP_PUBLIC = add("http.public", "false", Types.bool(),
            "`true` serves a non-loopback `http.host` without a token, on purpose; otherwise such a host is "
                    + "refused at start");

    private ConfigKeys() {
    }

    /** Every key, in declaration order. */
    public static List<Setting<?>> all() {
        return Collections.unmodifiableList(ALL);
    }

    private static <T> Setting<T> add(String key, String defaultValue, Setting.Type<T> type, String doc) {
        Setting<T> s = new Setting<>(key, defaultValue, type, doc);
        if (ALL.stream().anyMatch(other -> other.key().equals(key))) {
            throw new IllegalStateException("configuration key declared twice: " + key);
        }
        ALL.add(s);
        return s;
    }
}
