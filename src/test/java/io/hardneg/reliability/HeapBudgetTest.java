package io.hardneg.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.hardneg.config.ConfigLoader;
import io.hardneg.config.HardnegConfig;
import io.hardneg.image.InputSpec;
import io.hardneg.service.HeapBudget;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The worst-case heap figures stated in docs/operations.md (Heap budget), for the shipped model's shape (1x28x28, D = 64). */
class HeapBudgetTest {

    static final InputSpec SHIPPED = InputSpec.gray(28, 28, 0.5f, 0.5f);

    static HeapBudget budget(Map<String, String> settings) {
        Map<String, String> m = new HashMap<>(settings);
        m.put("bootstrap.servers", "localhost:9092");
        HardnegConfig c = ConfigLoader.fromMap(m);
        return HeapBudget.of(c, SHIPPED, 64, 4);
    }

    static long mib(long bytes) {
        return (bytes + (1 << 20) - 1) >> 20;
    }

    @Test
    void shouldStateTheDefaultConfigurationsWorstCase() {
        HeapBudget b = budget(Map.of());
        System.out.println("default: " + b.describe());
        // Given the defaults (input.max-bytes 10 MiB, batch 64, bank 20,000 keeping images within 64 MiB)
        // Then images in flight dominate, and the bank is bounded by its image budget: 10 MiB of vectors + 64 MiB
        assertThat(mib(b.terms().get("memory bank"))).isEqualTo(74);
        assertThat(mib(b.terms().get("input queue"))).isEqualTo(3_250);
        assertThat(mib(b.terms().get("batch buffer"))).isEqualTo(1_280);
        assertThat(mib(b.terms().get("decode"))).isEqualTo(192);
        assertThat(mib(b.total())).isEqualTo(4_965);
    }

    @Test
    void shouldStateTheWorstCaseWithoutImagesInTheBank() {
        HeapBudget b = budget(Map.of("output.include-images", "false"));
        System.out.println("defaults, output.include-images=false: " + b.describe());
        assertThat(mib(b.total())).isEqualTo(4_893);
    }

    @Test
    void shouldStateTheWorstCaseOfASizedFashionMnistDeployment() {
        HeapBudget b = budget(Map.of("input.max-bytes", Integer.toString(64 * 1024), "input.max-pixels",
                Integer.toString(512 * 512), "bank.max", "2000"));
        System.out.println("sized: " + b.describe());
        assertThat(mib(b.total())).isEqualTo(308);
    }

    @Test
    void shouldGrowWithEachBoundingSetting() {
        long base = budget(Map.of()).total();
        assertThat(budget(Map.of("input.max-bytes", Integer.toString(20 << 20))).total()).isGreaterThan(base);
        assertThat(budget(Map.of("inference.batch.max", "128")).total()).isGreaterThan(base);
        assertThat(budget(Map.of("bank.max", "40000")).total()).isGreaterThan(base);
        assertThat(budget(Map.of("input.max-pixels", Long.toString(32L << 20))).total()).isGreaterThan(base);
        assertThat(budget(Map.of("streams.threads", "2")).total()).isGreaterThan(base);
    }
}
