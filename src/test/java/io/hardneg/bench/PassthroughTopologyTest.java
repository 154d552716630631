package io.hardneg.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.hardneg.config.ConfigLoader;
import io.hardneg.config.HardnegConfig;
import io.hardneg.mining.MemoryBank;
import io.hardneg.model.ModelProvider;
import io.hardneg.stream.MiningTopology;
import io.hardneg.stream.PipelineObserver;
import java.util.Map;
import org.apache.kafka.streams.TopologyDescription;
import org.junit.jupiter.api.Test;

/** The passthrough ceiling is only a ceiling for the service's shape if it has that shape. */
class PassthroughTopologyTest {

    @Test
    void shouldHaveTheServiceTopologysSourcesStoresAndSinks() {
        // Given the service's topology and the bench's passthrough, built from one configuration
        HardnegConfig config = ConfigLoader.fromMap(Map.of("bootstrap.servers", "unused:9092"));
        MemoryBank bank = new MemoryBank(8, config.bank().perLabel(), config.bank().max());
        // (building a topology never asks for the model, so none is loaded)
        TopologyDescription service = MiningTopology.build(config, ModelProvider.fixed(null), bank,
                PipelineObserver.NONE).describe();
        // When the passthrough is built
        TopologyDescription passthrough = PassthroughTopology.build(config, 8, bank).describe();
        // Then it has the same nodes, topics, stores and global store (only the processor's code differs)
        assertThat(passthrough.toString()).isEqualTo(service.toString());
        assertThat(passthrough.toString()).contains(MiningTopology.PENDING_STORE, "embedding-bank", "images");
    }
}
