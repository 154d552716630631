package io.hardneg.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.hardneg.config.ConfigLoader;
import io.hardneg.config.HardnegConfig;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Secrets given as {@code kafka.*} settings or HARDNEG_* variables never appear where configuration is printed. */
class SecretMaskingTest {

    static final String SECRET = "s3cr3t-Value-42";

    static Map<String, String> secrets() {
        return Map.of(
                "kafka.sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"u\" password=\"" + SECRET + "\";",
                "kafka.ssl.keystore.password", SECRET,
                "kafka.ssl.truststore.password", SECRET,
                "kafka.ssl.key.password", SECRET,
                "kafka.sasl.oauthbearer.client.credentials.client.secret", SECRET);
    }

    @Test
    void shouldMaskEverySecretKafkaSettingInTheRedactedView() {
        HardnegConfig c = ConfigLoader.fromMap(withBootstrap(secrets()));
        Map<String, String> shown = ConfigLoader.redacted(c.kafkaOverrides());
        assertThat(shown).containsEntry("sasl.jaas.config", "[hidden]").containsEntry("ssl.keystore.password", "[hidden]")
                .containsEntry("ssl.key.password", "[hidden]").containsEntry("ssl.truststore.password", "[hidden]");
        assertThat(shown.toString()).doesNotContain(SECRET);
    }

    @Test
    void shouldMaskSecretsGivenAsEnvironmentVariables() {
        HardnegConfig c = ConfigLoader.load(null, Map.of("HARDNEG_KAFKA_SASL_JAAS_CONFIG", "x password=\"" + SECRET + "\";",
                "HARDNEG_BOOTSTRAP_SERVERS", "localhost:9092"), Map.of());
        assertThat(c.kafkaOverrides()).containsKey("sasl.jaas.config");
        assertThat(ConfigLoader.redacted(c.kafkaOverrides()).toString()).doesNotContain(SECRET);
    }

    @Test
    void shouldNotPrintSecretsWhenTheWholeConfigurationIsPrinted() {
        HardnegConfig c = ConfigLoader.fromMap(withBootstrap(secrets()));
        assertThat(c.toString()).doesNotContain(SECRET);
    }

    private static Map<String, String> withBootstrap(Map<String, String> m) {
        Map<String, String> out = new java.util.HashMap<>(m);
        out.put("bootstrap.servers", "localhost:9092");
        return out;
    }
}
