package io.hardneg.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hardneg.model.DeviceRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConfigLoaderTest {

    @Test
    void shouldBuildAValidConfigFromDefaultsAlone() {
        HardnegConfig c = ConfigLoader.load(null, Map.of(), Map.of());

        assertThat(c.applicationId()).isEqualTo("hardneg");
        assertThat(c.bootstrapServers()).isEmpty();
        assertThat(c.modelPath()).isNull();
        assertThat(c.inference().device()).isEqualTo(DeviceRequest.auto());
        assertThat(c.inference().batchMax()).isEqualTo(512);
        assertThat(c.inference().spin()).isFalse();
        assertThat(c.mining().alpha()).isEqualTo(0.2f);
        assertThat(c.mining().policy()).isEqualTo(MiningPolicy.ALL);
        assertThat(c.mining().negativesPerPositive()).isEqualTo(3);
        assertThat(c.bank().perLabel()).isEqualTo(256);
        assertThat(c.bank().max()).isEqualTo(20000);
        assertThat(c.output().format()).isEqualTo(OutputFormat.TRIPLETS);
        assertThat(c.output().includeImages()).isTrue();
        assertThat(c.streams().processingGuarantee()).isEqualTo("exactly_once_v2");
        assertThat(c.http().port()).isEqualTo(8080);
        assertThat(c.http().tokenFile()).isNull();
        assertThat(c.http().isPublic()).isFalse();
        assertThat(c.kafkaOverrides()).isEmpty();
    }

    @Test
    void shouldReadTheHttpTokenFileAndPublicFlagFromTheEnvironment() {
        HardnegConfig c = ConfigLoader.load(null, Map.of("HARDNEG_HTTP_HOST", "0.0.0.0",
                "HARDNEG_HTTP_AUTH_TOKEN_FILE", " /run/secrets/token ", "HARDNEG_HTTP_PUBLIC", "true"), Map.of());

        assertThat(c.http().tokenFile()).isEqualTo(Path.of("/run/secrets/token"));
        assertThat(c.http().isPublic()).isTrue();
        // Only the path is configuration; the token itself is read at start and appears nowhere in it
        assertThat(c.toString()).contains("tokenFile=/run/secrets/token");
    }

    @Test
    void shouldRefuseAMinimumInSyncAboveTheReplicationFactor() {
        assertThatThrownBy(() -> ConfigLoader.fromMap(Map.of("topics.replication-factor", "2",
                "topics.min-insync-replicas", "3")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("topics.min-insync-replicas=3 is more than topics.replication-factor=2; every write would"
                        + " be refused");
    }

    @Test
    void shouldRefuseAnHttpPublicThatIsNotABoolean() {
        assertThatThrownBy(() -> ConfigLoader.fromMap(Map.of("http.public", "yes")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("http.public='yes' is not allowed; expected one of true, false");
    }

    @Test
    void shouldLetTheEnvironmentOverrideTheFileAndTheCommandLineOverrideBoth(@TempDir Path dir) throws Exception {
        // Given a file, environment variables and command-line settings that disagree
        Path file = dir.resolve("hardneg.properties");
        Files.writeString(file, """
                mining.alpha = 0.3
                mining.negatives-per-positive = 5
                mining.policy = hard
                kafka.security.protocol = PLAINTEXT
                """);
        Map<String, String> env = Map.of(
                "HARDNEG_MINING_ALPHA", "0.4",
                "HARDNEG_MINING_NEGATIVES_PER_POSITIVE", "6",
                "HARDNEG_KAFKA_SECURITY_PROTOCOL", "SASL_SSL",
                "PATH", "/usr/bin");
        Map<String, String> cli = Map.of("mining.alpha", "0.5");

        // When loaded
        HardnegConfig c = ConfigLoader.load(file, env, cli);

        // Then each later source wins where it speaks, and the earlier ones show through elsewhere
        assertThat(c.mining().alpha()).isEqualTo(0.5f);
        assertThat(c.mining().negativesPerPositive()).isEqualTo(6);
        assertThat(c.mining().policy()).isEqualTo(MiningPolicy.HARD);
        assertThat(c.kafkaOverrides()).containsExactlyEntriesOf(Map.of("security.protocol", "SASL_SSL"));
    }

    @Test
    void shouldTakeFileValuesWhenNothingOverridesThem(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("hardneg.properties");
        Files.writeString(file, "mining.alpha=0.3\ninference.device=cuda:1\ninference.spin=true\n");

        HardnegConfig c = ConfigLoader.load(file, Map.of(), Map.of());

        assertThat(c.mining().alpha()).isEqualTo(0.3f);
        assertThat(c.inference().device()).isEqualTo(DeviceRequest.parse("cuda:1"));
        assertThat(c.inference().spin()).isTrue();
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', value = {
            "mining.alpha                 | abc    | (0.0, 4.0]",
            "mining.alpha                 | -1     | (0.0, 4.0]",
            "mining.alpha                 | 0      | (0.0, 4.0]",
            "mining.policy                | medium | semihard, hard, all",
            "inference.batch.max          | 0      | 1..65536",
            "inference.device             | tpu    | auto, cpu, cuda, cuda:<id>",
            "output.format                | json   | triplets, pairs",
            "output.include-images        | yes    | true, false",
            "inference.spin               | 1      | true, false",
            "mining.negatives-per-positive| 2.5    | 1..1000",
            "streams.processing.guarantee | exactly_once | exactly_once_v2, at_least_once",
            "mining.positive              | hardest | farthest, nearest, random",
            "mining.negative              | random | hardest, soft, distance-weighted",
            "mining.gap-floor             | deep   | none or a number in [0.0, 4.0]",
            "mining.gap-floor             | -0.1   | none or a number in [0.0, 4.0]",
            "mining.soft.beta             | -1     | 0.0..1000000.0",
            "mining.distance-weighted.cutoff | 0   | (0.0, 2.0]",
            "mining.distance-weighted.nonzero-loss-cutoff | 2.5 | (0.0, 2.0]",
            "mining.anchor-share          | 1.5    | (0.0, 1.0]",
            "mining.anchor-share          | 0      | (0.0, 1.0]",
            "mining.anchor-budget.k       | 0      | 1..1000",
            "mining.anchor-budget.sample  | many   | 1..100000",
            "mining.suspect.tau           | 4.5    | 0.0..4.0",
            "mining.quota.window.ms       | 0      | 1..86400000",
            "mining.backpressure.max-lag  | -1     | 0 or more",
            "input.max-pixels             | lots   | 1 or more",
            "dedup.near.window            | 0      | 1..100000"})
    void shouldNameTheKeyTheValueAndWhatIsAllowed(String key, String value, String allowed) {
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(), Map.of(key, value)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(key)
                .hasMessageContaining(value)
                .hasMessageContaining(allowed);
    }

    @Test
    void shouldFillTheRecordNamedByEachKeysPrefix() {
        // Given one key of each mining sub-record, set away from its default
        Map<String, String> cli = Map.of("mining.suspect.k", "9", "mining.quota.per-window", "7",
                "mining.backpressure.max-lag", "1000", "mining.rate-limit.burst", "5", "input.headers.max", "3");

        // When loaded
        HardnegConfig c = ConfigLoader.load(null, Map.of("HARDNEG_MINING_BACKPRESSURE_MIN_FACTOR", "0.5"), cli);

        // Then each lands in the record its prefix names
        assertThat(c.mining().suspect()).isEqualTo(new HardnegConfig.Mining.Suspect(true, 1.0f, 9, 0.6, 40, true));
        assertThat(c.mining().quota()).isEqualTo(new HardnegConfig.Mining.Quota(7, 60_000));
        assertThat(c.mining().backpressure()).isEqualTo(new HardnegConfig.Mining.Backpressure(1000, 5000, 0.5));
        assertThat(c.mining().rateLimit()).isEqualTo(new HardnegConfig.Mining.RateLimit(200, 5));
        assertThat(c.input().maxHeaders()).isEqualTo(3);
    }

    @Test
    void shouldShowEverySectionWithKafkaSecretsMasked() {
        HardnegConfig c = ConfigLoader.fromMap(Map.of("kafka.ssl.key.password", "hunter2",
                "kafka.security.protocol", "SSL", "mining.quota.per-window", "7"));

        String shown = c.toString();

        for (java.lang.reflect.RecordComponent section : HardnegConfig.class.getRecordComponents()) {
            assertThat(shown).contains(section.getName() + "=");
        }
        assertThat(shown).contains("suspect=Suspect[enabled=true", "quota=Quota[perWindow=7",
                "backpressure=Backpressure[maxLag=0", "dedup=Dedup[exactWindow=100000", "security.protocol=SSL",
                "ssl.key.password=[hidden]").doesNotContain("hunter2").doesNotContain("…");
        assertThat(c.sections()).containsOnlyKeys(java.util.Arrays.stream(HardnegConfig.class.getRecordComponents())
                .map(java.lang.reflect.RecordComponent::getName).toList());
    }

    @Test
    void shouldMineByTheFlywheelsChosenRulesByDefault() {
        HardnegConfig.Mining m = ConfigLoader.load(null, Map.of(), Map.of()).mining();

        assertThat(m.positive()).isEqualTo(PositiveRule.RANDOM);
        assertThat(m.negative()).isEqualTo(NegativeRule.SOFT);
        assertThat(m.gapFloor()).isEqualTo(0.3f);
        assertThat(m.anchorShare()).isEqualTo(0.3);
        assertThat(m.soft().beta()).isEqualTo(5.0);
        assertThat(m.distanceWeighted()).isEqualTo(new HardnegConfig.Mining.DistanceWeighted(0.5, 1.4));
        assertThat(m.anchorBudget()).isEqualTo(new HardnegConfig.Mining.AnchorBudget(10, 64));
    }

    @Test
    void shouldParseTheMiningRulesFromAnySource() {
        // Given every new mining key set, one of them through the environment
        Map<String, String> cli = Map.of("mining.positive", "Random", "mining.negative", "distance-weighted",
                "mining.gap-floor", "0.3", "mining.soft.beta", "0", "mining.distance-weighted.cutoff", "0.4",
                "mining.distance-weighted.nonzero-loss-cutoff", "2", "mining.anchor-share", "0.25",
                "mining.anchor-budget.k", "7");

        // When loaded
        HardnegConfig.Mining m = ConfigLoader.load(null, Map.of("HARDNEG_MINING_ANCHOR_BUDGET_SAMPLE", "32"), cli)
                .mining();

        // Then each lands in its record
        assertThat(m.positive()).isEqualTo(PositiveRule.RANDOM);
        assertThat(m.negative()).isEqualTo(NegativeRule.DISTANCE_WEIGHTED);
        assertThat(m.gapFloor()).isEqualTo(0.3f);
        assertThat(m.soft().beta()).isEqualTo(0.0);
        assertThat(m.distanceWeighted()).isEqualTo(new HardnegConfig.Mining.DistanceWeighted(0.4, 2.0));
        assertThat(m.anchorShare()).isEqualTo(0.25);
        assertThat(m.anchorBudget()).isEqualTo(new HardnegConfig.Mining.AnchorBudget(7, 32));
        assertThat(ConfigLoader.load(null, Map.of(), Map.of("mining.negative", "SOFT")).mining().negative())
                .isEqualTo(NegativeRule.SOFT);
        assertThat(ConfigLoader.load(null, Map.of(), Map.of("mining.gap-floor", "NONE")).mining().gapFloor())
                .isEqualTo(Float.POSITIVE_INFINITY);
    }

    @Test
    void shouldRefuseANonzeroLossCutoffNotAboveTheCutoff() {
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(), Map.of("mining.distance-weighted.cutoff", "1.2",
                "mining.distance-weighted.nonzero-loss-cutoff", "1.2")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("mining.distance-weighted.nonzero-loss-cutoff=1.2")
                .hasMessageContaining("larger than mining.distance-weighted.cutoff=1.2");
    }

    @Test
    void shouldRefuseABankSmallerThanOneLabelsShare() {
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(), Map.of("bank.max", "100", "bank.per-label", "200")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("bank.max=100")
                .hasMessageContaining("bank.per-label=200");
    }

    @Test
    void shouldListTheKnownKeysForAnUnknownOne() {
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(), Map.of("minig.alpha", "0.3")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("unknown configuration key 'minig.alpha'")
                .hasMessageContaining("mining.alpha")
                .hasMessageContaining("kafka.<client setting>");
    }

    @Test
    void shouldRefuseAnUnknownKeyInTheFileToo(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("typo.properties");
        Files.writeString(file, "bank.perlabel=10\n");

        assertThatThrownBy(() -> ConfigLoader.load(file, Map.of(), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("'bank.perlabel'");
    }

    @Test
    void shouldNameAMissingConfigFile(@TempDir Path dir) {
        Path missing = dir.resolve("absent.properties");

        assertThatThrownBy(() -> ConfigLoader.load(missing, Map.of(), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(missing.toString())
                .hasMessageContaining("does not exist");
    }

    @Test
    void shouldHideSecretsButKeepOrdinarySettingsWhenRedacting() {
        Map<String, String> kafka = Map.of(
                "sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required password=\"s3cret\";",
                "ssl.keystore.password", "hunter2",
                "security.protocol", "SASL_SSL");

        Map<String, String> shown = ConfigLoader.redacted(kafka);

        assertThat(shown).containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("sasl.jaas.config", "[hidden]")
                .containsEntry("ssl.keystore.password", "[hidden]");
        assertThat(shown.toString()).doesNotContain("s3cret").doesNotContain("hunter2");
    }

    @Test
    void shouldMapKnownKeysFromTheirEnvironmentSpelling() {
        Map<String, String> m = ConfigLoader.fromEnv(Map.of(
                "HARDNEG_BANK_PER_LABEL", "10",
                "HARDNEG_INFERENCE_BATCH_LINGER_MS", "5",
                "HARDNEG_KAFKA_SASL_MECHANISM", "PLAIN",
                "HOME", "/root"));

        assertThat(m).containsExactlyInAnyOrderEntriesOf(Map.of(
                "bank.per-label", "10",
                "inference.batch.linger.ms", "5",
                "kafka.sasl.mechanism", "PLAIN"));
    }
}
