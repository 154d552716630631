package io.hardneg.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.hardneg.error.ErrorCode;
import io.hardneg.metrics.PipelineMetrics;
import io.hardneg.mining.Triplet;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class LiveViewTest {

    private final AtomicLong now = new AtomicLong(1_000_000_000_000L);

    private static Triplet t(String a, String n, float dAp, float dAn, byte[] img) {
        return new Triplet(new Triplet.Member("a", a, img, 0), new Triplet.Member("p", a, img, 0),
                new Triplet.Member("n", n, img, 0), dAp, dAn, 0.2f, "1");
    }

    @Test
    void shouldKeepOnlyTheLatestTripletsNewestFirst() {
        LiveView v = new LiveView(() -> PipelineMetrics.Totals.NONE, 3, 1 << 20, 8, now::get);
        for (int i = 0; i < 5; i++) {
            v.mined(List.of(t("0", "1", 0.5f, 0.1f * i)), 0);
        }
        assertThat(v.latest()).extracting(LiveView.Entry::seq).containsExactly(5L, 4L, 3L);
    }

    @Test
    void shouldDropOldestImagesBeyondTheByteBudget() {
        // Given a budget of two triplets' images (3 × 100 bytes each)
        LiveView v = new LiveView(() -> PipelineMetrics.Totals.NONE, 10, 600, 8, now::get);
        for (int i = 0; i < 4; i++) {
            v.mined(List.of(t("0", "1", 0.5f, 0.4f, new byte[100])), 0);
        }
        List<LiveView.Entry> latest = v.latest();
        assertThat(latest).hasSize(4);
        assertThat(v.imageBytes()).isLessThanOrEqualTo(600);
        assertThat(java.util.Arrays.asList(latest.get(0).images())).doesNotContainNull();
        assertThat(java.util.Arrays.asList(latest.get(1).images())).doesNotContainNull();
        assertThat(java.util.Arrays.asList(latest.get(3).images())).containsOnlyNulls();
        assertThat(v.image(4, LiveView.Role.NEGATIVE)).hasSize(100);
        assertThat(v.image(1, LiveView.Role.ANCHOR)).isNull();
    }

    private static Triplet t(String a, String n, float dAp, float dAn) {
        return t(a, n, dAp, dAn, null);
    }

    @Test
    void shouldBoundThePairMatrixLabelsUnderOther() {
        LiveView v = new LiveView(() -> PipelineMetrics.Totals.NONE, 10, 0, 2, now::get);
        v.mined(List.of(t("3", "1", 0.5f, 0.4f), t("1", "3", 0.5f, 0.4f), t("7", "3", 0.5f, 0.4f)), 0);
        LiveView.Pairs p = v.pairs();
        assertThat(p.labels()).containsExactly("1", "3", LiveView.OTHER);
        assertThat(p.hard()[1][0]).isEqualTo(1);
        assertThat(p.hard()[0][1]).isEqualTo(1);
        assertThat(p.hard()[2][1]).isEqualTo(1);
    }

    @Test
    void shouldComputeRatesOverTheLastTenSeconds() {
        // Given metrics that count 20 images and one hard and one semi-hard triplet a second, read once a second
        AtomicLong seconds = new AtomicLong();
        LiveView v = new LiveView(() -> totals(seconds.get()), 10, 0, 8, now::get);
        LiveView.Stats s = null;
        for (int i = 0; i < 12; i++) {
            seconds.incrementAndGet();
            now.addAndGet(1000);
            s = v.stats();
        }
        // Then the rates are those counts per second, and the totals are the metrics' own
        assertThat(s.imagesPerS()).isEqualTo(20.0);
        assertThat(s.hardPerS()).isEqualTo(1.0);
        assertThat(s.semihardPerS()).isEqualTo(1.0);
        assertThat(s.deadLettersPerS()).isEqualTo(0.5);
        assertThat(s.embedded()).isEqualTo(240);
        assertThat(s.accepted()).isEqualTo(12 * 21);
        assertThat(s.rateLimited()).isEqualTo(12 * 3);

        // And the rates decay once the stream stops
        now.addAndGet(11_000);
        assertThat(v.stats().imagesPerS()).isZero();
    }

    @Test
    void shouldAverageOverTheWholeSpanWhenTheFirstReadComesLate() {
        // Given 12 seconds of counting and no read in between
        AtomicLong seconds = new AtomicLong();
        LiveView v = new LiveView(() -> totals(seconds.get()), 10, 0, 8, now::get);
        seconds.set(12);
        now.addAndGet(12_000);
        // Then the first read averages over the 12 seconds since the view started
        assertThat(v.stats().imagesPerS()).isEqualTo(20.0);
    }

    @Test
    void shouldReadTotalsAndTheServingModelFromPipelineMetrics() {
        // Given the pipeline's metrics after a batch, a dead letter and a mined anchor
        try (PipelineMetrics metrics = new PipelineMetrics(new SimpleMeterRegistry())) {
            LiveView v = new LiveView(metrics);
            metrics.batchEmbedded(2, 1_000, "7", "cuda");
            metrics.accepted(true);
            metrics.embedded(System.currentTimeMillis());
            metrics.deadLettered(ErrorCode.TOO_LARGE);
            metrics.deadLettered(ErrorCode.UNDECODABLE);
            metrics.mined(List.of(t("0", "1", 0.5f, 0.4f), t("0", "1", 0.5f, 0.6f), t("0", "1", 0.5f, 0.3f)), 4);
            // When the page reads the view
            LiveView.Stats s = v.stats();
            // Then it shows what the metrics counted
            assertThat(s.accepted()).isEqualTo(1);
            assertThat(s.embedded()).isEqualTo(1);
            assertThat(s.deadLettered()).isEqualTo(2);
            assertThat(s.hard()).isEqualTo(2);
            assertThat(s.semihard()).isEqualTo(1);
            assertThat(s.rateLimited()).isEqualTo(4);
            assertThat(s.modelVersion()).isEqualTo("7");
            assertThat(s.device()).isEqualTo("cuda");
        }
    }

    /** What the metrics hold after {@code s} seconds of 20 images, 1 dead letter every 2 s and 2 triplets a second. */
    private static PipelineMetrics.Totals totals(long s) {
        return new PipelineMetrics.Totals(21 * s, 20 * s, s / 2, s, s, 3 * s, "1", "cpu");
    }
}
