package io.hardneg.fuzz;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class FuzzBudgetTest {

    @Test
    void shouldKeepTheDeclaredTriesWhenNoTotalIsGiven() {
        assertThat(FuzzBudget.tries(60_000, null)).isEqualTo(60_000);
        assertThat(FuzzBudget.tries(60_000, " ")).isEqualTo(60_000);
    }

    @Test
    void shouldShareATotalOutInTheDeclaredProportions() {
        // Given the default total: unchanged; ten times it: ten times each; a tiny total: at least one try
        assertThat(FuzzBudget.tries(60_000, Integer.toString(FuzzBudget.DEFAULT_TOTAL))).isEqualTo(60_000);
        assertThat(FuzzBudget.tries(60_000, "1050000")).isEqualTo(600_000);
        assertThat(FuzzBudget.tries(15_000, "1050")).isEqualTo(150);
        assertThat(FuzzBudget.tries(10_000, "1")).isEqualTo(1);
    }

    @Test
    void shouldRefuseATotalThatIsNotAPositiveNumber() {
        assertThatThrownBy(() -> FuzzBudget.tries(10, "1e6")).hasMessageContaining("hardneg.fuzz.tries")
                .hasMessageContaining("'1e6'");
        assertThatThrownBy(() -> FuzzBudget.tries(10, "0")).hasMessageContaining("at least 1");
    }
}
