package io.hardneg.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The declarations themselves: each is usable by the loader, the environment and the generated table. */
class ConfigKeysTest {

    @Test
    void shouldDeclareEveryKeyOnceWithADefaultItsOwnTypeAccepts() {
        List<Setting<?>> all = ConfigKeys.all();

        assertThat(all).extracting(Setting::key).doesNotHaveDuplicates().hasSize(ConfigLoader.DEFAULTS.size());
        for (Setting<?> s : all) {
            assertThat(s.key()).as("key").matches("[a-z][a-z0-9]*([.-][a-z0-9]+)*");
            assertThat(s.defaultParsed()).as("default of %s", s.key()).isEqualTo(s.parse(s.defaultValue()));
            assertThat(s.doc()).as("doc of %s, one table cell", s.key()).doesNotContain("|", "\n").isNotBlank();
            assertThat(s.allowed()).as("allowed of %s", s.key()).isNotBlank();
        }
    }

    @Test
    void shouldGiveEveryKeyItsOwnEnvironmentVariable() {
        // Given '.' and '-' both become '_', two keys could share a name; then one would silently win
        Map<String, String> keyByEnv = new HashMap<>();
        for (Setting<?> s : ConfigKeys.all()) {
            String other = keyByEnv.put(s.envName(), s.key());
            assertThat(other).as("%s and %s share %s", other, s.key(), s.envName()).isNull();
        }
        assertThat(ConfigKeys.MINING_SUSPECT_MIN_POSITIVES.envName())
                .isEqualTo("HARDNEG_MINING_SUSPECT_MIN_POSITIVES");
    }

    @Test
    void shouldRefuseADefaultTheKeyItselfWouldRefuse() {
        assertThatThrownBy(() -> new Setting<>("x.count", "-1", Types.intIn(0, 10), "a count"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("x.count=-1 is out of range; expected 0..10");
    }

    @Test
    void shouldSayTheSameAllowedValuesInTheMessageAndTheTable() {
        Setting<Long> lag = ConfigKeys.MINING_BACKPRESSURE_MAX_LAG;

        assertThatThrownBy(() -> lag.parse("-5"))
                .hasMessage("mining.backpressure.max-lag=-5 is out of range; expected " + lag.allowed());
        assertThat(lag.allowed()).isEqualTo("0 or more");
        assertThat(ConfigDoc.markdownTable()).contains("| `mining.backpressure.max-lag` | `0` | 0 or more | ");
    }

    @Test
    void shouldWriteOneEscapedRowPerSetting() {
        List<Setting<?>> two = List.of(
                new Setting<>("a.b", "", Types.text(), "nothing"),
                new Setting<>("c", "x", Types.parsed("x or <id>|y", v -> v), "why"));

        assertThat(ConfigDoc.markdownTable(two)).isEqualTo("""
                | key | default | allowed | meaning |
                |---|---|---|---|
                | `a.b` | (empty) | any text, or empty | nothing |
                | `c` | `x` | x or &lt;id&gt;\\|y | why |
                """);
    }

    @Test
    void shouldParseChoicesInAnyCaseAndNameTheAllowedOnesInTheirOrder() {
        assertThat(ConfigKeys.MINING_NEGATIVE.parse(" Distance-Weighted ")).isEqualTo(NegativeRule.DISTANCE_WEIGHTED);
        assertThat(ConfigKeys.MINING_POLICY.allowed()).isEqualTo("one of semihard, hard, all");
        assertThatThrownBy(() -> ConfigKeys.MINING_POLICY.parse("medium"))
                .hasMessage("mining.policy='medium' is not allowed; expected one of semihard, hard, all");
    }

    @Test
    void shouldReadTheGapFloorsWordOrANumber() {
        assertThat(ConfigKeys.MINING_GAP_FLOOR.parse("None")).isEqualTo(Float.POSITIVE_INFINITY);
        assertThat(ConfigKeys.MINING_GAP_FLOOR.parse("4")).isEqualTo(4f);
        assertThatThrownBy(() -> ConfigKeys.MINING_GAP_FLOOR.parse("4.5"))
                .hasMessage("mining.gap-floor=4.5 is out of range; expected none or a number in [0.0, 4.0]");
    }
}
