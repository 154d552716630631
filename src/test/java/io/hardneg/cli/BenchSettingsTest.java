package io.hardneg.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class BenchSettingsTest {

    @Test
    void shouldMineEveryImageOfTheRepeatingBacklogUnlessTheUserSaysOtherwise() {
        // The bench's backlog repeats the bundled images under new ids: with exact-duplicate suppression at its
        // service default, its stages would skip mining for everything after the first pass.
        BenchCommand bench = new BenchCommand();
        new CommandLine(bench).parseArgs("--images", "10");
        assertThat(bench.config(Map.of()).dedup().exactWindow()).isZero();
        assertThat(bench.config(Map.of()).http().port()).isZero();

        BenchCommand asked = new BenchCommand();
        new CommandLine(asked).parseArgs("--set", "dedup.exact.window=5000");
        assertThat(asked.config(Map.of()).dedup().exactWindow()).isEqualTo(5000);
    }

    @Test
    void shouldLetSetOverrideACommandsOwnSettingsAndTheStageFlagsOverrideBoth() {
        ConfigOptions options = new ConfigOptions();
        options.settings.put("mining.alpha", "0.3");

        var config = options.load(Map.of("mining.alpha", "0.1", "dedup.exact.window", "7"),
                Map.of("inference.batch.max", "1"));

        assertThat(config.mining().alpha()).isEqualTo(0.3f);
        assertThat(config.dedup().exactWindow()).isEqualTo(7);
        assertThat(config.inference().batchMax()).isEqualTo(1);
    }
}
