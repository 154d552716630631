package io.hardneg.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.hardneg.mining.Triplet;
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
        LiveView v = new LiveView(3, 1 << 20, 8, now::get);
        for (int i = 0; i < 5; i++) {
            v.mined(List.of(t("0", "1", 0.5f, 0.1f * i)), 0);
        }
        assertThat(v.latest()).extracting(LiveView.Entry::seq).containsExactly(5L, 4L, 3L);
    }

    @Test
    void shouldDropOldestImagesBeyondTheByteBudget() {
        // Given a budget of two triplets' images (3 × 100 bytes each)
        LiveView v = new LiveView(10, 600, 8, now::get);
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
        LiveView v = new LiveView(10, 0, 2, now::get);
        v.mined(List.of(t("3", "1", 0.5f, 0.4f), t("1", "3", 0.5f, 0.4f), t("7", "3", 0.5f, 0.4f)), 0);
        LiveView.Pairs p = v.pairs();
        assertThat(p.labels()).containsExactly("1", "3", LiveView.OTHER);
        assertThat(p.hard()[1][0]).isEqualTo(1);
        assertThat(p.hard()[0][1]).isEqualTo(1);
        assertThat(p.hard()[2][1]).isEqualTo(1);
    }

    @Test
    void shouldComputeRatesOverTheLastTenSeconds() {
        LiveView v = new LiveView(10, 0, 8, now::get);
        // 20 images a second for 12 seconds, one hard and one semi-hard triplet a second
        for (int s = 0; s < 12; s++) {
            for (int i = 0; i < 20; i++) {
                v.embedded(0);
            }
            v.mined(List.of(t("0", "1", 0.5f, 0.4f), t("0", "1", 0.5f, 0.6f)), 0);
            now.addAndGet(1000);
        }
        LiveView.Stats s = v.stats();
        assertThat(s.imagesPerS()).isEqualTo(20.0);
        assertThat(s.hardPerS()).isEqualTo(1.0);
        assertThat(s.semihardPerS()).isEqualTo(1.0);
        assertThat(s.embedded()).isEqualTo(240);

        // And the rates decay once the stream stops
        now.addAndGet(11_000);
        assertThat(v.stats().imagesPerS()).isZero();
    }
}
