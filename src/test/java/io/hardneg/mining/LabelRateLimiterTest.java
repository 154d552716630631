package io.hardneg.mining;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LabelRateLimiterTest {

    @Test
    void shouldAllowBurstThenRefillByEventTime() {
        LabelRateLimiter l = new LabelRateLimiter(10, 3);
        assertThat(l.tryAcquire("cat", 0)).isTrue();
        assertThat(l.tryAcquire("cat", 0)).isTrue();
        assertThat(l.tryAcquire("cat", 0)).isTrue();
        assertThat(l.tryAcquire("cat", 0)).isFalse();
        assertThat(l.tryAcquire("dog", 0)).as("labels have their own bucket").isTrue();
        assertThat(l.tryAcquire("cat", 100)).as("0.1 s at 10/s refills one token").isTrue();
        assertThat(l.tryAcquire("cat", 100)).isFalse();
    }

    @Test
    void shouldNotLimitWhenRateIsZero() {
        LabelRateLimiter l = new LabelRateLimiter(0, 1);
        for (int i = 0; i < 1000; i++) {
            assertThat(l.tryAcquire("cat", 0)).isTrue();
        }
    }
}
