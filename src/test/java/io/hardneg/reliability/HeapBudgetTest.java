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
        // Given the defaults (input.max-bytes 10 MiB, batch 512, bank 20,000 keeping images within 64 MiB)
        // Then the input queue dominates (64 records a partition), and the bank is bounded by its image budget:
        // 10 MiB of vectors + 64 MiB
        assertThat(mib(b.terms().get("memory bank"))).isEqualTo(75);
        assertThat(mib(b.terms().get("input queue"))).isEqualTo(3_250);
        // and a batch by its 8 MiB, not by 512 images of 10 MiB: 4 tasks · 2 · (8 + 10) MiB pending, plus 4 · 16 MiB
        // in flight and two batches' tensors a task
        assertThat(mib(b.terms().get("batch buffer"))).isEqualTo(222);
        assertThat(mib(b.terms().get("decode"))).isEqualTo(192);
        assertThat(mib(b.total())).isEqualTo(3_910);
    }

    @Test
    void shouldStateTheWorstCaseWithoutImagesInTheBank() {
        HeapBudget b = budget(Map.of("output.include-images", "false"));
        System.out.println("defaults, output.include-images=false: " + b.describe());
        assertThat(mib(b.total())).isEqualTo(3_838);
    }

    @Test
    void shouldStateTheWorstCaseOfASizedFashionMnistDeployment() {
        HeapBudget b = budget(Map.of("input.max-bytes", Integer.toString(64 * 1024), "input.max-pixels",
                Integer.toString(512 * 512), "bank.max", "2000"));
        System.out.println("sized: " + b.describe());
        assertThat(mib(b.total())).isEqualTo(445);
    }

    @Test
    void shouldChargeEachStreamThreadItsPollPrefetchBatchDecodeProducerAndTensors() {
        // Given the defaults with one stream thread, then with two (auto on two cores)
        HeapBudget one = budget(Map.of("streams.threads", "1"));
        HeapBudget two = budget(Map.of("streams.threads", "2"));
        System.out.println("defaults, 2 stream threads: " + two.describe());
        long m = 10L << 20;
        long q = 64;
        // Then the second thread's consumer adds a poll of Q = 64 images and a fetch of 50 MiB to the input queue
        assertThat(two.terms().get("input queue") - one.terms().get("input queue")).isEqualTo(q * m + (50L << 20));
        // and the per-thread terms double; the batch buffers are per task (partition), not per thread
        for (String term : new String[] {"decode", "producer", "tensors"}) {
            assertThat(two.terms().get(term)).as(term).isEqualTo(2 * one.terms().get(term));
        }
        assertThat(two.terms().get("batch buffer")).isEqualTo(one.terms().get("batch buffer"));
        assertThat(two.terms().get("memory bank")).isEqualTo(one.terms().get("memory bank"));
        assertThat(mib(two.total())).isEqualTo(4_835);
    }

    @Test
    void shouldGrowWithEachBoundingSetting() {
        long base = budget(Map.of()).total();
        assertThat(budget(Map.of("input.max-bytes", Integer.toString(20 << 20))).total()).isGreaterThan(base);
        assertThat(budget(Map.of("inference.batch.max", "1024")).total()).isGreaterThan(base);
        assertThat(budget(Map.of("bank.max", "40000")).total()).isGreaterThan(base);
        assertThat(budget(Map.of("input.max-pixels", Long.toString(32L << 20))).total()).isGreaterThan(base);
        assertThat(budget(Map.of("streams.threads", "2")).total()).isGreaterThan(base);
    }

    @Test
    void shouldCountTheBatchesInFlightOfEveryTaskWithInferenceOverlapped() {
        HeapBudget inline = budget(Map.of("inference.overlap", "false"));
        HeapBudget overlapped = budget(Map.of("inference.overlap", "true"));
        long tensors = 512L * SHIPPED.size() * 4 + 512L * 64 * 4;
        // four partitions, each with at most 16 MiB of images in flight (two batches of 10 MiB images would be
        // 20 MiB: the second waits for the first) and two batches' tensors
        assertThat(overlapped.terms().get("batch buffer") - inline.terms().get("batch buffer"))
                .isEqualTo(4 * ((16L << 20) + 2 * tensors));
        // with batches of 64 images of at most 64 KiB two batches fit under the cap: 2·B·M
        Map<String, String> small = Map.of("input.max-bytes", "65536", "inference.batch.max", "64");
        long smallExtra = budget(merge(small, "true")).total() - budget(merge(small, "false")).total();
        long smallTensors = 64L * SHIPPED.size() * 4 + 64L * 64 * 4;
        assertThat(smallExtra).isEqualTo(4 * (2 * 64L * 65536 + 2 * smallTensors));
    }

    private static Map<String, String> merge(Map<String, String> settings, String overlap) {
        Map<String, String> m = new HashMap<>(settings);
        m.put("inference.overlap", overlap);
        return m;
    }
}
