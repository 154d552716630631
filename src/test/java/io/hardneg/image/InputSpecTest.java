package io.hardneg.image;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class InputSpecTest {

    @Test
    void shouldBroadcastSingleMeanAndStdForGray() {
        InputSpec spec = InputSpec.gray(28, 28, 0.5f, 0.25f);
        assertThat(spec.size()).isEqualTo(784);
        assertThat(spec.mean()).containsExactly(0.5f);
        assertThat(spec.std()).containsExactly(0.25f);
        assertThat(InputSpec.uniform(3, 2, 4, 0.1f, 0.2f).size()).isEqualTo(24);
    }

    @Test
    void shouldRefuseChannelCountsOtherThanOneOrThree() {
        assertThatThrownBy(() -> InputSpec.uniform(4, 28, 28, 0f, 1f))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("found 4");
    }

    @Test
    void shouldRefuseNonPositiveSizes() {
        assertThatThrownBy(() -> InputSpec.gray(0, 28, 0f, 1f)).hasMessageContaining("found 0×28");
    }

    @Test
    void shouldRefuseArraysOfWrongLengthOrBadStd() {
        assertThatThrownBy(() -> new InputSpec(3, 2, 2, new float[] {0f}, new float[] {1f, 1f, 1f}))
                .hasMessageContaining("mean must have 3 value(s)");
        assertThatThrownBy(() -> InputSpec.gray(2, 2, 0f, 0f)).hasMessageContaining("std values must be finite and > 0");
        assertThatThrownBy(() -> InputSpec.gray(2, 2, Float.NaN, 1f)).hasMessageContaining("mean values must be finite");
    }

    @Test
    void shouldBeImmutableAndCompareByValue() {
        float[] mean = {0.1f, 0.2f, 0.3f};
        InputSpec spec = new InputSpec(3, 2, 2, mean, new float[] {1f, 1f, 1f});
        mean[0] = 9f;
        spec.mean()[1] = 9f;
        assertThat(spec.mean()).containsExactly(0.1f, 0.2f, 0.3f);
        assertThat(spec).isEqualTo(new InputSpec(3, 2, 2, new float[] {0.1f, 0.2f, 0.3f}, new float[] {1f, 1f, 1f}));
        assertThat(spec.hashCode()).isEqualTo(
                new InputSpec(3, 2, 2, new float[] {0.1f, 0.2f, 0.3f}, new float[] {1f, 1f, 1f}).hashCode());
    }

    @Test
    void shouldDefaultLimitsTo10MiBAnd16MegaPixels() {
        assertThat(DecodeLimits.defaults()).isEqualTo(new DecodeLimits(10 << 20, 1L << 24));
        assertThatThrownBy(() -> new DecodeLimits(0, 1)).hasMessageContaining("maxBytes must be > 0");
    }
}
