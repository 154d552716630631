package io.hardneg.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.hardneg.config.ConfigLoader;
import io.hardneg.config.MiningPolicy;
import io.hardneg.config.PositiveRule;
import io.hardneg.mining.MiningRules;
import io.hardneg.mining.NegativeSampling;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MiningTopologyRulesTest {

    @Test
    void shouldMineByTheChosenRulesWithTheDefaultConfigurationAndTheOriginalOneWhenAsked() {
        assertThat(MiningTopology.rules(ConfigLoader.fromMap(Map.of()).mining())).isEqualTo(new MiningRules(0.2f,
                MiningPolicy.ALL, 1, 3, PositiveRule.RANDOM, new NegativeSampling.Soft(5.0), 0.3f));
        Map<String, String> original = Map.of("mining.positive", "farthest", "mining.negative", "hardest",
                "mining.gap-floor", "none", "mining.anchor-share", "1");
        assertThat(MiningTopology.rules(ConfigLoader.fromMap(original).mining())).isEqualTo(MiningRules.defaults());
    }

    @Test
    void shouldCarryEveryConfiguredRuleIntoTheMinersRules() {
        // Given soft and distance-weighted configurations
        Map<String, String> soft = Map.of("mining.positive", "nearest", "mining.negative", "soft",
                "mining.soft.beta", "2.5", "mining.gap-floor", "0.4", "mining.policy", "semihard");
        Map<String, String> weighted = Map.of("mining.positive", "random", "mining.negative", "distance-weighted",
                "mining.distance-weighted.cutoff", "0.3", "mining.distance-weighted.nonzero-loss-cutoff", "1.8",
                "mining.gap-floor", "none");

        // When turned into the miner's rules
        MiningRules s = MiningTopology.rules(ConfigLoader.fromMap(soft).mining());
        MiningRules w = MiningTopology.rules(ConfigLoader.fromMap(weighted).mining());

        // Then nothing is lost on the way
        assertThat(s).isEqualTo(new MiningRules(0.2f, MiningPolicy.SEMIHARD, 1, 3, PositiveRule.NEAREST,
                new NegativeSampling.Soft(2.5), 0.4f));
        assertThat(w).isEqualTo(new MiningRules(0.2f, MiningPolicy.ALL, 1, 3, PositiveRule.RANDOM,
                new NegativeSampling.DistanceWeighted(0.3, 1.8), Float.POSITIVE_INFINITY));
    }
}
