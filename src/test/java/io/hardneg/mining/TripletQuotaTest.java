package io.hardneg.mining;

import static org.assertj.core.api.Assertions.assertThat;

import io.hardneg.mining.TripletQuota.Decision;
import org.junit.jupiter.api.Test;

class TripletQuotaTest {

    private static TripletQuota quota(int perWindow, Backpressure bp) {
        return new TripletQuota(new LabelRateLimiter(0, 1), perWindow, 1000, bp);
    }

    @Test
    void shouldCapEachLabelPerWindowAndResetInTheNextWindow() {
        TripletQuota q = quota(2, Backpressure.off());
        assertThat(q.tryAcquire("shirt", 0)).isEqualTo(Decision.PUBLISH);
        assertThat(q.tryAcquire("shirt", 999)).isEqualTo(Decision.PUBLISH);
        assertThat(q.tryAcquire("shirt", 999)).as("third in [0, 1000)").isEqualTo(Decision.WINDOW_CAP);
        assertThat(q.tryAcquire("bag", 999)).as("a rare class keeps its own quota").isEqualTo(Decision.PUBLISH);
        assertThat(q.tryAcquire("shirt", 1000)).as("next window").isEqualTo(Decision.PUBLISH);
        assertThat(q.tryAcquire("shirt", 500)).as("late record counts into the current window").isEqualTo(Decision.PUBLISH);
        assertThat(q.tryAcquire("shirt", 1500)).isEqualTo(Decision.WINDOW_CAP);
    }

    @Test
    void shouldReportTheTokenBucketAsRate() {
        TripletQuota q = new TripletQuota(new LabelRateLimiter(1, 1), 0, 1000, Backpressure.off());
        assertThat(q.tryAcquire("shirt", 0)).isEqualTo(Decision.PUBLISH);
        assertThat(q.tryAcquire("shirt", 0)).isEqualTo(Decision.RATE);
    }

    @Test
    void shouldPublishAFactorOfTriplets_whenConsumersLagBeyondTheBound() {
        Backpressure bp = new Backpressure(100, 0.05);
        TripletQuota q = quota(0, bp);
        bp.observeLag(100);
        assertThat(bp.factor()).as("at the bound: unthrottled").isEqualTo(1.0);
        bp.observeLag(200);
        assertThat(bp.factor()).isEqualTo(0.5);
        int published = 0;
        for (int i = 0; i < 100; i++) {
            if (q.tryAcquire("shirt", i) == Decision.PUBLISH) {
                published++;
            }
        }
        assertThat(published).isEqualTo(50);
        bp.observeLag(1_000_000);
        assertThat(bp.factor()).as("floored at min-factor").isEqualTo(0.05);
        bp.observeLag(0);
        assertThat(q.tryAcquire("shirt", 200)).isEqualTo(Decision.PUBLISH);
    }
}
