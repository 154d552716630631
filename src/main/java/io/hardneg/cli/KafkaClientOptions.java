package io.hardneg.cli;

import io.hardneg.config.ConfigLoader;
import io.hardneg.config.HardnegConfig;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The Kafka connection of {@code produce}, {@code topics apply} and {@code model publish}, taken from the service's
 * own configuration: the same properties file, {@code HARDNEG_*} variables and {@code --set} keys as {@code serve},
 * so one file with {@code bootstrap.servers} and {@code kafka.*} security settings serves every command.
 */
final class KafkaClientOptions {

    static final String DEFAULT_BOOTSTRAP = "127.0.0.1:9092";

    @Option(names = "--config", paramLabel = "FILE",
            description = "Properties file as for serve; its bootstrap.servers and kafka.* client settings "
                    + "(security.protocol, ssl.*, sasl.*) are used.")
    Path configFile;

    @Option(names = "--set", paramLabel = "KEY=VALUE",
            description = "A configuration key, e.g. kafka.security.protocol=SSL; repeatable; wins over the file "
                    + "and HARDNEG_* variables.")
    Map<String, String> settings = new LinkedHashMap<>();

    private HardnegConfig loaded;

    private HardnegConfig config() {
        if (loaded == null) {
            loaded = ConfigLoader.load(configFile, System.getenv(), settings);
        }
        return loaded;
    }

    /** The {@code kafka.*} settings, prefix removed, for a client's properties. */
    Map<String, Object> clientSettings() {
        return new HashMap<>(config().kafkaOverrides());
    }

    /** {@code flag} when given, else the configuration's {@code bootstrap.servers}, else {@code fallback}. */
    String bootstrapServers(String flag, String fallback) {
        if (flag != null && !flag.isBlank()) {
            return flag;
        }
        String configured = config().bootstrapServers();
        return configured.isBlank() ? fallback : configured;
    }
}
