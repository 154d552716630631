package io.hardneg.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Builds a {@link HardnegConfig} from defaults, a properties file, {@code HARDNEG_*} environment variables and
 * command-line settings — each overriding the one before — and validates every value through its declaration in
 * {@link ConfigKeys}; what spans keys (bank.max ≥ bank.per-label, …) is checked here.
 */
public final class ConfigLoader {

    /** Keys passed straight to Kafka clients and Streams, prefix removed. */
    public static final String KAFKA_PREFIX = "kafka.";

    /**
     * Every key we know, with its default, in {@link ConfigKeys}' order. The defaults are declared there, the
     * mining ones chosen by the flywheel experiment (docs/decisions/0008-mining-defaults.md).
     */
    public static final Map<String, String> DEFAULTS = defaults();

    private static final Map<String, Setting<?>> SETTINGS = settingsByKey();

    private static Map<String, String> defaults() {
        Map<String, String> d = new LinkedHashMap<>();
        ConfigKeys.all().forEach(s -> d.put(s.key(), s.defaultValue()));
        return Collections.unmodifiableMap(d);
    }

    private static Map<String, Setting<?>> settingsByKey() {
        Map<String, Setting<?>> m = new LinkedHashMap<>();
        ConfigKeys.all().forEach(s -> m.put(s.key(), s));
        return Collections.unmodifiableMap(m);
    }

    private ConfigLoader() {
    }

    /** Defaults, then {@code file} (may be null), then {@code env}'s HARDNEG_* variables, then {@code cli}. */
    public static HardnegConfig load(Path file, Map<String, String> env, Map<String, String> cli) {
        Map<String, String> values = new LinkedHashMap<>(DEFAULTS);
        if (file != null) {
            values.putAll(readFile(file));
        }
        values.putAll(fromEnv(env));
        values.putAll(cli);
        return fromMap(values);
    }

    /** Defaults overridden by {@code overrides}, validated. */
    public static HardnegConfig fromMap(Map<String, String> overrides) {
        Map<String, String> v = new LinkedHashMap<>(DEFAULTS);
        v.putAll(overrides);
        Map<String, String> kafka = new TreeMap<>();
        for (Map.Entry<String, String> e : v.entrySet()) {
            String key = e.getKey();
            if (key.startsWith(KAFKA_PREFIX)) {
                kafka.put(key.substring(KAFKA_PREFIX.length()), e.getValue());
            } else if (!SETTINGS.containsKey(key)) {
                throw new ConfigException("unknown configuration key '" + key + "'; known keys: "
                        + String.join(", ", DEFAULTS.keySet()) + ", or kafka.<client setting>");
            }
        }
        Values r = new Values(v);
        HardnegConfig config = new HardnegConfig(
                r.get(ConfigKeys.APPLICATION_ID),
                r.get(ConfigKeys.BOOTSTRAP_SERVERS),
                r.get(ConfigKeys.MODEL_PATH),
                new HardnegConfig.ModelUpdates(r.get(ConfigKeys.MODEL_UPDATES_ENABLED),
                        r.get(ConfigKeys.MODEL_HMAC_KEY_FILE)),
                new HardnegConfig.Inference(r.get(ConfigKeys.INFERENCE_DEVICE), r.get(ConfigKeys.INFERENCE_THREADS),
                        r.get(ConfigKeys.INFERENCE_SPIN), r.get(ConfigKeys.INFERENCE_BATCH_MAX),
                        r.get(ConfigKeys.INFERENCE_BATCH_LINGER_MS), r.get(ConfigKeys.INFERENCE_BATCH_MAX_MS),
                        r.get(ConfigKeys.INFERENCE_OVERLAP)),
                new HardnegConfig.Input(r.get(ConfigKeys.INPUT_MAX_BYTES), r.get(ConfigKeys.INPUT_MAX_PIXELS),
                        r.get(ConfigKeys.INPUT_LABEL_MAX_LENGTH), r.get(ConfigKeys.INPUT_HEADERS_MAX)),
                mining(r),
                new HardnegConfig.Dedup(r.get(ConfigKeys.DEDUP_EXACT_WINDOW), r.get(ConfigKeys.DEDUP_NEAR_EPSILON),
                        r.get(ConfigKeys.DEDUP_NEAR_WINDOW)),
                bank(r),
                new HardnegConfig.Output(r.get(ConfigKeys.OUTPUT_FORMAT), r.get(ConfigKeys.OUTPUT_INCLUDE_IMAGES),
                        r.get(ConfigKeys.OUTPUT_MAX_RECORD_BYTES)),
                new HardnegConfig.Streams(r.get(ConfigKeys.STREAMS_PROCESSING_GUARANTEE),
                        r.get(ConfigKeys.STREAMS_COMMIT_INTERVAL_MS), r.get(ConfigKeys.STREAMS_THREADS)),
                replication(r),
                http(r),
                kafka);
        r.checkAllRead();
        return config;
    }

    private static HardnegConfig.Mining mining(Values r) {
        return new HardnegConfig.Mining(r.get(ConfigKeys.MINING_ALPHA), r.get(ConfigKeys.MINING_POLICY),
                r.get(ConfigKeys.MINING_POSITIVES_PER_ANCHOR), r.get(ConfigKeys.MINING_NEGATIVES_PER_POSITIVE),
                new HardnegConfig.Mining.RateLimit(r.get(ConfigKeys.MINING_RATE_LIMIT_PER_LABEL),
                        r.get(ConfigKeys.MINING_RATE_LIMIT_BURST)),
                r.get(ConfigKeys.MINING_POSITIVE), r.get(ConfigKeys.MINING_NEGATIVE),
                r.get(ConfigKeys.MINING_GAP_FLOOR),
                new HardnegConfig.Mining.Soft(r.get(ConfigKeys.MINING_SOFT_BETA)),
                distanceWeighted(r),
                r.get(ConfigKeys.MINING_ANCHOR_SHARE),
                new HardnegConfig.Mining.AnchorBudget(r.get(ConfigKeys.MINING_ANCHOR_BUDGET_K),
                        r.get(ConfigKeys.MINING_ANCHOR_BUDGET_SAMPLE)),
                new HardnegConfig.Mining.Suspect(r.get(ConfigKeys.MINING_SUSPECT_ENABLED),
                        r.get(ConfigKeys.MINING_SUSPECT_TAU), r.get(ConfigKeys.MINING_SUSPECT_K),
                        r.get(ConfigKeys.MINING_SUSPECT_AGREEMENT), r.get(ConfigKeys.MINING_SUSPECT_MIN_POSITIVES),
                        r.get(ConfigKeys.MINING_SUSPECT_INCLUDE_IMAGE)),
                new HardnegConfig.Mining.Quota(r.get(ConfigKeys.MINING_QUOTA_PER_WINDOW),
                        r.get(ConfigKeys.MINING_QUOTA_WINDOW_MS)),
                new HardnegConfig.Mining.Backpressure(r.get(ConfigKeys.MINING_BACKPRESSURE_MAX_LAG),
                        r.get(ConfigKeys.MINING_BACKPRESSURE_INTERVAL_MS),
                        r.get(ConfigKeys.MINING_BACKPRESSURE_MIN_FACTOR)));
    }

    /** Wu et al.'s two Euclidean cutoffs: the clip below, and where the weight drops to 0, above it. */
    private static HardnegConfig.Mining.DistanceWeighted distanceWeighted(Values r) {
        double cutoff = r.get(ConfigKeys.MINING_DISTANCE_WEIGHTED_CUTOFF);
        double nonzero = r.get(ConfigKeys.MINING_DISTANCE_WEIGHTED_NONZERO_LOSS_CUTOFF);
        if (!(nonzero > cutoff)) {
            throw new ConfigException(ConfigKeys.MINING_DISTANCE_WEIGHTED_NONZERO_LOSS_CUTOFF.key() + "="
                    + r.raw(ConfigKeys.MINING_DISTANCE_WEIGHTED_NONZERO_LOSS_CUTOFF) + " must be larger than "
                    + ConfigKeys.MINING_DISTANCE_WEIGHTED_CUTOFF.key() + "="
                    + r.raw(ConfigKeys.MINING_DISTANCE_WEIGHTED_CUTOFF) + ": every negative would weigh 0");
        }
        return new HardnegConfig.Mining.DistanceWeighted(cutoff, nonzero);
    }

    private static HardnegConfig.Bank bank(Values r) {
        int perLabel = r.get(ConfigKeys.BANK_PER_LABEL);
        int bankMax = r.get(ConfigKeys.BANK_MAX);
        if (bankMax < perLabel) {
            throw new ConfigException("bank.max=" + bankMax + " is smaller than bank.per-label=" + perLabel
                    + "; bank.max must hold at least one label's K entries");
        }
        return new HardnegConfig.Bank(perLabel, bankMax, r.get(ConfigKeys.BANK_MAX_IMAGE_BYTES),
                r.get(ConfigKeys.BANK_IMAGES_MAX_BYTES));
    }

    /** Replication of the topics hardneg creates: a minimum in-sync count above the replicas refuses every write. */
    private static HardnegConfig.Replication replication(Values r) {
        int factor = r.get(ConfigKeys.TOPICS_REPLICATION_FACTOR);
        int minIsr = r.get(ConfigKeys.TOPICS_MIN_INSYNC_REPLICAS);
        if (factor > 0 && minIsr > factor) {
            throw new ConfigException("topics.min-insync-replicas=" + minIsr
                    + " is more than topics.replication-factor=" + factor + "; every write would be refused");
        }
        return new HardnegConfig.Replication(factor, minIsr);
    }

    /** The HTTP server, refused beyond loopback unless a token guards it or it is declared public. */
    private static HardnegConfig.Http http(Values r) {
        HardnegConfig.Http http = new HardnegConfig.Http(r.get(ConfigKeys.HTTP_HOST), r.get(ConfigKeys.HTTP_PORT),
                r.get(ConfigKeys.HTTP_AUTH_TOKEN_FILE), r.get(ConfigKeys.HTTP_PUBLIC));
        HttpExposure.check(http);
        return http;
    }

    static Map<String, String> readFile(Path file) {
        Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(file)) {
            p.load(in);
        } catch (NoSuchFileException e) {
            throw new ConfigException("config file " + file + " does not exist");
        } catch (IOException | IllegalArgumentException e) {
            throw new ConfigException("cannot read config file " + file + ": " + e.getMessage());
        }
        Map<String, String> m = new LinkedHashMap<>();
        p.stringPropertyNames().forEach(k -> m.put(k.trim(), p.getProperty(k).trim()));
        return m;
    }

    /**
     * HARDNEG_MINING_NEGATIVES_PER_POSITIVE → mining.negatives-per-positive: env names cannot hold '.' or
     * '-', so each known key is matched by its upper-cased, underscored form. {@code HARDNEG_KAFKA_X_Y}
     * becomes {@code kafka.x.y}.
     */
    static Map<String, String> fromEnv(Map<String, String> env) {
        Map<String, String> byEnvName = new LinkedHashMap<>();
        ConfigKeys.all().forEach(s -> byEnvName.put(s.envName(), s.key()));
        String kafkaEnv = Setting.ENV_PREFIX + "KAFKA_";
        Map<String, String> m = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : env.entrySet()) {
            String name = e.getKey();
            if (byEnvName.containsKey(name)) {
                m.put(byEnvName.get(name), e.getValue());
            } else if (name.startsWith(kafkaEnv)) {
                m.put(KAFKA_PREFIX + name.substring(kafkaEnv.length()).toLowerCase(Locale.ROOT).replace('_', '.'),
                        e.getValue());
            }
        }
        return m;
    }

    /** Kafka settings with secrets masked, for logs. */
    public static Map<String, String> redacted(Map<String, String> kafka) {
        Map<String, String> m = new TreeMap<>();
        kafka.forEach((k, val) -> m.put(k, isSecret(k) ? "[hidden]" : val));
        return m;
    }

    static boolean isSecret(String key) {
        String k = key.toLowerCase(Locale.ROOT);
        return k.contains("password") || k.contains("secret") || k.contains("jaas") || k.endsWith(".key")
                || k.contains("token") || k.contains("credentials");
    }

    /** The raw values of one load, each read through its key's declaration. */
    private static final class Values {

        private final Map<String, String> raw;
        private final Set<String> read = new HashSet<>();

        Values(Map<String, String> raw) {
            this.raw = raw;
        }

        <T> T get(Setting<T> setting) {
            read.add(setting.key());
            return setting.parse(raw(setting));
        }

        String raw(Setting<?> setting) {
            return raw.get(setting.key()).trim();
        }

        /** A key declared in ConfigKeys but filling no record would be accepted and then silently ignored. */
        void checkAllRead() {
            Set<String> unread = new TreeSet<>(SETTINGS.keySet());
            unread.removeAll(read);
            if (!unread.isEmpty()) {
                throw new IllegalStateException("configuration keys declared but never read: " + unread);
            }
        }
    }
}
