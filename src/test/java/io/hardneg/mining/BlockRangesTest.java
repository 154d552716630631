package io.hardneg.mining;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class BlockRangesTest {

    @Test
    void shouldGiveTheOwnerItsRangeFromTheFrontAndOthersFromTheBack() {
        // Given 10 blocks over 3 workers: ranges [0, 4), [4, 8), [8, 10)
        BlockRanges r = new BlockRanges(10, 3);
        // Then the owner walks its range from the front, another worker from the back
        assertThat(r.take(1, true)).isEqualTo(4);
        assertThat(r.take(1, false)).isEqualTo(7);
        assertThat(r.take(1, true)).isEqualTo(5);
        assertThat(r.take(1, false)).isEqualTo(6);
        // And an emptied range says so to both
        assertThat(r.take(1, true)).isEqualTo(-1);
        assertThat(r.take(1, false)).isEqualTo(-1);
        assertThat(r.take(2, true)).isEqualTo(8);
        assertThat(r.take(0, false)).isEqualTo(3);
    }

    @Test
    void shouldCoverEveryBlockWhenTheLastRangeIsEmpty() {
        // Given fewer blocks than a ceiling split fills: 5 blocks over 4 workers ([0, 2), [2, 4), [4, 5), [5, 5))
        BlockRanges r = new BlockRanges(5, 4);
        List<Integer> all = new ArrayList<>();
        for (int w = 0; w < r.count(); w++) {
            for (int b = r.take(w, true); b >= 0; b = r.take(w, true)) {
                all.add(b);
            }
        }
        assertThat(all).containsExactly(0, 1, 2, 3, 4);
    }

    @Test
    void shouldHandEveryBlockOutExactlyOnceAcrossThreads() throws Exception {
        for (int round = 0; round < 200; round++) {
            // Given 4 workers racing over 37 blocks, each walking its own range and then the others' backs
            int workers = 4;
            BlockRanges r = new BlockRanges(37, workers);
            ConcurrentLinkedQueue<Integer> taken = new ConcurrentLinkedQueue<>();
            CountDownLatch start = new CountDownLatch(1);
            List<Thread> threads = new ArrayList<>();
            for (int w = 0; w < workers; w++) {
                int self = w;
                Thread t = new Thread(() -> {
                    try {
                        start.await();
                    } catch (InterruptedException e) {
                        return;
                    }
                    for (int k = 0; k < r.count(); k++) {
                        int range = (self + k) % r.count();
                        for (int b = r.take(range, k == 0); b >= 0; b = r.take(range, k == 0)) {
                            taken.add(b);
                        }
                    }
                });
                t.start();
                threads.add(t);
            }
            start.countDown();
            for (Thread t : threads) {
                t.join();
            }
            // Then every block was mined once, none twice
            assertThat(taken).hasSize(37).doesNotHaveDuplicates();
            assertThat(taken).allMatch(b -> b >= 0 && b < 37);
        }
    }
}
