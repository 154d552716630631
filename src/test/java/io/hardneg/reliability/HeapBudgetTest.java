package io.hardneg.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.hardneg.config.ConfigLoader;
import io.hardneg.config.HardnegConfig;
import io.hardneg.image.InputSpec;
import io.hardneg.service.HeapBudget;
import io.hardneg.stream.StreamThreads;
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
        // The figures of docs/operations.md are for one stream thread (auto on one core), whatever this machine has.
        return HeapBudget.of(c, SHIPPED, 64, 4, StreamThreads.resolve(c.streams().threads(), 1, 4));
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
    void shouldChargeEachStreamThreadItsPollPrefetchBatchDecodeProducerAndTensors() {
        // Given the defaults with one stream thread, then with two (auto on two cores)
        HeapBudget one = budget(Map.of("streams.threads", "1"));
        HeapBudget two = budget(Map.of("streams.threads", "2"));
        System.out.println("defaults, 2 stream threads: " + two.describe());
        long m = 10L << 20;
        long b = 64;
        // Then the second thread's consumer adds a poll of B images and a fetch of 50 MiB to the input queue
        assertThat(two.terms().get("input queue") - one.terms().get("input queue")).isEqualTo(b * m + (50L << 20));
        // and the per-thread terms double
        for (String term : new String[] {"batch buffer", "decode", "producer", "tensors"}) {
            assertThat(two.terms().get(term)).as(term).isEqualTo(2 * one.terms().get(term));
        }
        assertThat(two.terms().get("memory bank")).isEqualTo(one.terms().get("memory bank"));
        assertThat(mib(two.total())).isEqualTo(7_167);
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

    @Test
    void shouldCountTheBatchesInFlightOfEveryTaskWithInferenceOverlapped() {
        HeapBudget inline = budget(Map.of());
        HeapBudget overlapped = budget(Map.of("inference.overlap", "true"));
        long b = 64;
        long m = 10L << 20;
        // four partitions, two batches in flight each: the images and their input and output tensors
        long perBatch = b * m + b * SHIPPED.size() * 4L + b * 64 * 4L;
        assertThat(overlapped.terms().get("batch buffer") - inline.terms().get("batch buffer"))
                .isEqualTo(4 * 2 * perBatch);
        assertThat(overlapped.total() - inline.total()).isEqualTo(4 * 2 * perBatch);
    }
}
