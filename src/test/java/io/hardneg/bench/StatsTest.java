package io.hardneg.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class StatsTest {

    @Test
    void shouldTakeTheMedianOfTheMeasuredValuesOnly() {
        // Sorted in, NaN goes last and would make 2.0 the middle of {1, 2, NaN}; left out, the middle is 1.5
        assertThat(Stats.median(new double[] {2.0, Double.NaN, 1.0})).isEqualTo(1.5);
        assertThat(Stats.median(new double[] {3.0, 1.0, 2.0})).isEqualTo(2.0);
        assertThat(Stats.median(new double[] {Double.NaN, Double.NaN})).isNaN();
        assertThat(Stats.median(new double[0])).isNaN();
    }

    @Test
    void shouldGiveNoRatioOverNothing() {
        assertThat(Stats.ratio(5.0, 0.0)).isNaN();
        assertThat(Stats.ratio(Double.NaN, 2.0)).isNaN();
        assertThat(Stats.ratio(1.0, 3.0)).isEqualTo(0.333);
    }
}
