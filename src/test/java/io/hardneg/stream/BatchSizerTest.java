package io.hardneg.stream;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BatchSizerTest {

    private static final long MS = 1_000_000L;

    @Test
    void shouldGrowALightModelsBatchesTwofoldUpToTheMaximum() {
        // Given 512 images a batch at most, 500 ms a batch, and a model at 0.1 ms an image
        BatchSizer sizer = new BatchSizer(512, 500);
        assertThat(sizer.size()).isEqualTo(BatchSizer.FIRST);

        // When batches come back, each at the model's cost
        StringBuilder sizes = new StringBuilder();
        for (int i = 0; i < 6; i++) {
            int n = sizer.size();
            sizer.observe("1", n, n * MS / 10);
            sizes.append(sizer.size()).append(' ');
        }

        // Then the size doubles each batch and stops at the maximum
        assertThat(sizes.toString().trim()).isEqualTo("64 128 256 512 512 512");
    }

    @Test
    void shouldHoldAHeavyModelsBatchesToTheTimeBudget() {
        // Given a model at 10 ms an image: 500 ms fit 50 images
        BatchSizer sizer = new BatchSizer(512, 500);

        // When ten batches come back at that cost
        for (int i = 0; i < 10; i++) {
            int n = sizer.size();
            sizer.observe("1", n, n * 10 * MS);
        }

        // Then the size settles at what fits, never above
        assertThat(sizer.size()).isEqualTo(50);
    }

    @Test
    void shouldShrinkAtOnceForAHeavierModelAndMeasureItAfresh() {
        // Given batches of 512 on a light model
        BatchSizer sizer = new BatchSizer(512, 500);
        for (int i = 0; i < 8; i++) {
            sizer.observe("1", sizer.size(), sizer.size() * MS / 10);
        }
        assertThat(sizer.size()).isEqualTo(512);

        // When version 2 takes 20 ms an image on its first batch
        sizer.observe("2", 512, 512 * 20 * MS);

        // Then the next batch holds what fits by version 2's cost alone, not an average with version 1's
        assertThat(sizer.size()).isEqualTo(25);
    }

    @Test
    void shouldKeepTheMaximumWhenTheBudgetIsOff() {
        BatchSizer sizer = new BatchSizer(512, 0);
        sizer.observe("1", 512, 512 * 100 * MS);
        assertThat(sizer.size()).isEqualTo(512);
    }

    @Test
    void shouldNeverGoBelowOneImage() {
        BatchSizer sizer = new BatchSizer(512, 1);
        sizer.observe("1", 1, 5_000 * MS);
        assertThat(sizer.size()).isEqualTo(1);
    }
}
