package io.hardneg.config;

import io.hardneg.model.DeviceRequest;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Builds a {@link HardnegConfig} from defaults, a properties file, {@code HARDNEG_*} environment variables and
 * command-line settings — each overriding the one before — and validates every value.
 */
public final class ConfigLoader {

    /** Keys passed straight to Kafka clients and Streams, prefix removed. */
    public static final String KAFKA_PREFIX = "kafka.";

    private static final String ENV_PREFIX = "HARDNEG_";

    /** {@code mining.gap-floor}'s value for no floor: every negative under α counts, however deep. */
    static final String GAP_FLOOR_NONE = "none";

    /** Every key we know, with its default, in the order of docs/configuration.md's table (ConfigurationDocTest). */
    public static final Map<String, String> DEFAULTS = defaults();

    private static Map<String, String> defaults() {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("application.id", "hardneg");
        d.put("bootstrap.servers", "");
        d.put("model.path", "");
        d.put("model.updates.enabled", "true");
        d.put("model.hmac-key-file", "");
        d.put("inference.device", "auto");
        d.put("inference.threads", "0");
        d.put("inference.spin", "false");
        d.put("inference.batch.max", "64");
        d.put("inference.batch.linger.ms", "20");
        d.put("input.max-bytes", Integer.toString(10 << 20));
        d.put("input.max-pixels", Long.toString(16L << 20));
        d.put("input.label.max-length", "128");
        d.put("input.headers.max", "64");
        d.put("mining.alpha", "0.2");
        d.put("mining.policy", "all");
        d.put("mining.positives-per-anchor", "1");
        d.put("mining.negatives-per-positive", "3");
        // Chosen by the flywheel experiment on its validation split (docs/decisions/0008-mining-defaults.md):
        // a random positive, soft negatives above a gap floor, a third of the anchors spent on confused labels.
        // The original rule is farthest / hardest / none / 1.0.
        d.put("mining.positive", "random");
        d.put("mining.negative", "soft");
        d.put("mining.gap-floor", "0.3");
        d.put("mining.soft.beta", "5");
        d.put("mining.distance-weighted.cutoff", "0.5");
        d.put("mining.distance-weighted.nonzero-loss-cutoff", "1.4");
        d.put("mining.anchor-share", "0.3");
        d.put("mining.anchor-budget.k", "10");
        d.put("mining.anchor-budget.sample", "64");
        d.put("mining.rate-limit.per-label", "200");
        d.put("mining.rate-limit.burst", "400");
        d.put("mining.suspect.enabled", "true");
        d.put("mining.suspect.tau", "1.0");
        d.put("mining.suspect.k", "6");
        d.put("mining.suspect.agreement", "0.6");
        d.put("mining.suspect.min-positives", "40");
        d.put("mining.suspect.include-image", "true");
        d.put("dedup.exact.window", "100000");
        d.put("dedup.near.epsilon", "0.01");
        d.put("dedup.near.window", "256");
        d.put("mining.quota.per-window", "0");
        d.put("mining.quota.window.ms", "60000");
        d.put("mining.backpressure.max-lag", "0");
        d.put("mining.backpressure.interval.ms", "5000");
        d.put("mining.backpressure.min-factor", "0.05");
        d.put("bank.per-label", "256");
        d.put("bank.max", "20000");
        d.put("bank.max-image-bytes", Integer.toString(256 << 10));
        d.put("bank.images.max-bytes", Long.toString(64L << 20));
        d.put("output.format", "triplets");
        d.put("output.include-images", "true");
        d.put("output.max-record-bytes", Integer.toString(4 << 20));
        d.put("streams.processing.guarantee", "exactly_once_v2");
        d.put("streams.commit.interval.ms", "50");
        d.put("streams.threads", "1");
        // 0: the replicas topics/ declares (1, for the in-process broker) and the broker's min ISR default.
        d.put("topics.replication-factor", "0");
        d.put("topics.min-insync-replicas", "0");
        d.put("http.host", "127.0.0.1");
        d.put("http.port", "8080");
        d.put("http.auth.token-file", "");
        d.put("http.public", "false");
        return Collections.unmodifiableMap(d);
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
            } else if (!DEFAULTS.containsKey(key)) {
                throw new ConfigException("unknown configuration key '" + key + "'; known keys: "
                        + String.join(", ", DEFAULTS.keySet()) + ", or kafka.<client setting>");
            }
        }
        Values r = new Values(v);
        String guarantee = r.oneOf("streams.processing.guarantee", "exactly_once_v2", "at_least_once");
        int batchMax = r.intIn("inference.batch.max", 1, 65_536);
        int perLabel = r.intIn("bank.per-label", 1, 1_000_000);
        int bankMax = r.intIn("bank.max", 1, 10_000_000);
        if (bankMax < perLabel) {
            throw new ConfigException("bank.max=" + bankMax + " is smaller than bank.per-label=" + perLabel
                    + "; bank.max must hold at least one label's K entries");
        }
        return new HardnegConfig(
                r.nonBlank("application.id"),
                v.get("bootstrap.servers").trim(),
                v.get("model.path").isBlank() ? null : Path.of(v.get("model.path").trim()),
                new HardnegConfig.ModelUpdates(r.bool("model.updates.enabled"),
                        v.get("model.hmac-key-file").isBlank() ? null : Path.of(v.get("model.hmac-key-file").trim())),
                new HardnegConfig.Inference(r.parse("inference.device", DeviceRequest::parse),
                        r.intIn("inference.threads", 0, 1024), r.bool("inference.spin"), batchMax,
                        r.longIn("inference.batch.linger.ms", 0, 60_000)),
                new HardnegConfig.Limits(r.intIn("input.max-bytes", 1, Integer.MAX_VALUE - 8),
                        r.longIn("input.max-pixels", 1, Long.MAX_VALUE),
                        r.intIn("input.label.max-length", 1, 10_000), r.intIn("input.headers.max", 1, 100_000)),
                new HardnegConfig.Mining(r.floatIn("mining.alpha", 0f, 4f),
                        MiningPolicy.valueOf(r.oneOf("mining.policy", "semihard", "hard", "all").toUpperCase(Locale.ROOT)),
                        r.intIn("mining.positives-per-anchor", 1, 1000), r.intIn("mining.negatives-per-positive", 1, 1000),
                        r.doubleIn("mining.rate-limit.per-label", 0.0, 1e9), r.intIn("mining.rate-limit.burst", 1, 1_000_000_000),
                        PositiveRule.valueOf(r.oneOf("mining.positive", "farthest", "nearest", "random")
                                .toUpperCase(Locale.ROOT)),
                        NegativeRule.valueOf(r.oneOf("mining.negative", "hardest", "soft", "distance-weighted")
                                .toUpperCase(Locale.ROOT).replace('-', '_')),
                        gapFloor(r),
                        new HardnegConfig.Mining.Soft(r.doubleIn("mining.soft.beta", 0.0, 1e6)),
                        distanceWeighted(r),
                        r.doubleAbove("mining.anchor-share", 0.0, 1.0),
                        new HardnegConfig.Mining.AnchorBudget(r.intIn("mining.anchor-budget.k", 1, 1000),
                                r.intIn("mining.anchor-budget.sample", 1, 100_000))),
                new HardnegConfig.Bank(perLabel, bankMax, r.intIn("bank.max-image-bytes", 0, 64 << 20),
                        r.longIn("bank.images.max-bytes", 0, Long.MAX_VALUE)),
                new HardnegConfig.Output(
                        OutputFormat.valueOf(r.oneOf("output.format", "triplets", "pairs").toUpperCase(Locale.ROOT)),
                        r.bool("output.include-images"),
                        r.intIn("output.max-record-bytes", 64 << 10, 1 << 30)),
                new HardnegConfig.Streams(guarantee, r.longIn("streams.commit.interval.ms", 1, 3_600_000),
                        r.intIn("streams.threads", 1, 64)),
                http(r),
                new HardnegConfig.Suspect(r.bool("mining.suspect.enabled"), (float) r.doubleIn("mining.suspect.tau", 0.0, 4.0),
                        r.intIn("mining.suspect.k", 1, 1000), r.doubleIn("mining.suspect.agreement", 0.01, 1.0),
                        r.intIn("mining.suspect.min-positives", 1, 1_000_000), r.bool("mining.suspect.include-image")),
                new HardnegConfig.Dedup(r.intIn("dedup.exact.window", 0, 10_000_000),
                        (float) r.doubleIn("dedup.near.epsilon", 0.0, 4.0), r.intIn("dedup.near.window", 1, 100_000)),
                new HardnegConfig.Quota(r.intIn("mining.quota.per-window", 0, 1_000_000_000),
                        r.longIn("mining.quota.window.ms", 1, 86_400_000L),
                        r.longIn("mining.backpressure.max-lag", 0, Long.MAX_VALUE),
                        r.longIn("mining.backpressure.interval.ms", 100, 3_600_000),
                        r.doubleIn("mining.backpressure.min-factor", 0.001, 1.0)),
                replication(r),
                kafka);
    }

    /** {@code none} (no floor: +∞) or τ in [0, 4]: squared distances lie in [0, 4], so τ = 4 is no floor either. */
    private static float gapFloor(Values r) {
        if (r.get("mining.gap-floor").equalsIgnoreCase(GAP_FLOOR_NONE)) {
            return Float.POSITIVE_INFINITY;
        }
        String allowed = GAP_FLOOR_NONE + " or a number in [0.0, 4.0]";
        double v;
        try {
            v = Double.parseDouble(r.get("mining.gap-floor"));
        } catch (NumberFormatException e) {
            throw new ConfigException("mining.gap-floor='" + r.get("mining.gap-floor") + "' is not allowed; expected "
                    + allowed);
        }
        if (!(v >= 0 && v <= 4)) {
            throw new ConfigException("mining.gap-floor=" + r.get("mining.gap-floor") + " is out of range; expected "
                    + allowed);
        }
        return (float) v;
    }

    /** A min ISR above the replicas would refuse every write with acks=all, so it is refused here. */
    private static HardnegConfig.Replication replication(Values r) {
        int factor = r.intIn("topics.replication-factor", 0, Short.MAX_VALUE);
        int minIsr = r.intIn("topics.min-insync-replicas", 0, Short.MAX_VALUE);
        if (factor > 0 && minIsr > factor) {
            throw new ConfigException("topics.min-insync-replicas=" + minIsr
                    + " is more than topics.replication-factor=" + factor + "; every write would be refused");
        }
        return new HardnegConfig.Replication(factor, minIsr);
    }

    /** The HTTP server, refused beyond loopback unless a token guards it or it is declared public. */
    private static HardnegConfig.Http http(Values r) {
        String tokenFile = r.get("http.auth.token-file");
        HardnegConfig.Http http = new HardnegConfig.Http(r.nonBlank("http.host"), r.intIn("http.port", 0, 65_535),
                tokenFile.isEmpty() ? null : Path.of(tokenFile), r.bool("http.public"));
        HttpExposure.check(http);
        return http;
    }

    /** Wu et al.'s two Euclidean cutoffs: the clip below, and where the weight drops to 0, above it. */
    private static HardnegConfig.Mining.DistanceWeighted distanceWeighted(Values r) {
        double cutoff = r.doubleAbove("mining.distance-weighted.cutoff", 0.0, 2.0);
        double nonzero = r.doubleAbove("mining.distance-weighted.nonzero-loss-cutoff", 0.0, 2.0);
        if (!(nonzero > cutoff)) {
            throw new ConfigException("mining.distance-weighted.nonzero-loss-cutoff=" + r.get(
                    "mining.distance-weighted.nonzero-loss-cutoff") + " must be larger than mining.distance-weighted"
                    + ".cutoff=" + r.get("mining.distance-weighted.cutoff") + ": every negative would weigh 0");
        }
        return new HardnegConfig.Mining.DistanceWeighted(cutoff, nonzero);
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
        for (String key : DEFAULTS.keySet()) {
            byEnvName.put(ENV_PREFIX + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_'), key);
        }
        Map<String, String> m = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : env.entrySet()) {
            String name = e.getKey();
            if (byEnvName.containsKey(name)) {
                m.put(byEnvName.get(name), e.getValue());
            } else if (name.startsWith(ENV_PREFIX + "KAFKA_")) {
                m.put(KAFKA_PREFIX + name.substring((ENV_PREFIX + "KAFKA_").length()).toLowerCase(Locale.ROOT)
                        .replace('_', '.'), e.getValue());
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

    /** Typed access to raw values with messages that name the key, the value and what is allowed. */
    private record Values(Map<String, String> raw) {

        String get(String key) {
            return raw.get(key).trim();
        }

        String nonBlank(String key) {
            String s = get(key);
            if (s.isEmpty()) {
                throw new ConfigException(key + " must not be empty");
            }
            return s;
        }

        <T> T parse(String key, Function<String, T> parser) {
            try {
                return parser.apply(get(key));
            } catch (IllegalArgumentException e) {
                throw new ConfigException(e.getMessage().contains(key) ? e.getMessage()
                        : key + "='" + get(key) + "' is invalid: " + e.getMessage());
            }
        }

        String oneOf(String key, String... allowed) {
            String s = get(key).toLowerCase(Locale.ROOT);
            for (String a : allowed) {
                if (a.equals(s)) {
                    return a;
                }
            }
            throw new ConfigException(key + "='" + get(key) + "' is not allowed; expected one of "
                    + String.join(", ", allowed));
        }

        boolean bool(String key) {
            return Boolean.parseBoolean(oneOf(key, "true", "false"));
        }

        int intIn(String key, int min, int max) {
            long v = longIn(key, min, max);
            return (int) v;
        }

        long longIn(String key, long min, long max) {
            long v;
            try {
                v = Long.parseLong(get(key));
            } catch (NumberFormatException e) {
                throw new ConfigException(key + "='" + get(key) + "' is not a whole number; expected "
                        + min + ".." + max);
            }
            if (v < min || v > max) {
                throw new ConfigException(key + "=" + v + " is out of range; expected " + min + ".." + max);
            }
            return v;
        }

        double doubleIn(String key, double min, double max) {
            double v;
            try {
                v = Double.parseDouble(get(key));
            } catch (NumberFormatException e) {
                throw new ConfigException(key + "='" + get(key) + "' is not a number; expected " + min + ".." + max);
            }
            if (!(v >= min && v <= max)) {
                throw new ConfigException(key + "=" + get(key) + " is out of range; expected " + min + ".." + max);
            }
            return v;
        }

        float floatIn(String key, float minExclusive, float max) {
            return (float) doubleAbove(key, minExclusive, max);
        }

        double doubleAbove(String key, double minExclusive, double max) {
            // Own parsing rather than doubleIn: its message would offer minExclusive itself as allowed.
            String allowed = "a number in (" + minExclusive + ", " + max + "]";
            double v;
            try {
                v = Double.parseDouble(get(key));
            } catch (NumberFormatException e) {
                throw new ConfigException(key + "='" + get(key) + "' is not a number; expected " + allowed);
            }
            if (!(v > minExclusive && v <= max)) {
                throw new ConfigException(key + "=" + get(key) + " is out of range; expected " + allowed);
            }
            return v;
        }
    }
}
