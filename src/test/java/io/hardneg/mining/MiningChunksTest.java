package io.hardneg.mining;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class MiningChunksTest {

    /** The chunks a batch of {@code batch} anchors is mined in, each one's entries added before the next. */
    private static List<Integer> plan(int entries, int batch) {
        List<Integer> chunks = new ArrayList<>();
        for (int left = batch; left > 0; ) {
            int c = MiningChunks.next(entries, left);
            chunks.add(c);
            entries += c;
            left -= c;
        }
        return chunks;
    }

    @Test
    void shouldFillAFreshBankInChunksThatAddAtMostAQuarterBeyondTheSmallest() {
        assertThat(plan(0, 512)).containsExactly(64, 64, 64, 64, 64, 80, 100, 12);
        assertThat(plan(0, 40)).as("a small batch is one chunk").containsExactly(40);
    }

    @Test
    void shouldMineABatchWholeAgainstABankFourTimesItsSize() {
        assertThat(plan(2048, 512)).containsExactly(512);
        assertThat(plan(2560, 512)).as("the default bank, full").containsExactly(512);
        assertThat(plan(2047, 512)).containsExactly(511, 1);
        assertThat(plan(100_000, 512)).containsExactly(512);
    }

    @Test
    void shouldRefuseNegativeCounts() {
        assertThatThrownBy(() -> MiningChunks.next(-1, 5)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MiningChunks.next(5, -1)).isInstanceOf(IllegalArgumentException.class);
    }
}
