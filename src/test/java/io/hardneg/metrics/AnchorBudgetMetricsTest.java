package io.hardneg.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.hardneg.mining.LabelBudget;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AnchorBudgetMetricsTest {

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final PipelineMetrics metrics = new PipelineMetrics(registry);

    @AfterEach
    void close() {
        metrics.close();
        registry.close();
    }

    @Test
    void shouldExposeEachLabelsAnchorBudgetAndPurityAndDropLabelsGoneFromTheBank() {
        // Given a budget over two labels
        metrics.anchorBudget(Map.of("shirt", new LabelBudget.Entry("shirt", 0.4, 0.6, 1.0),
                "bag", new LabelBudget.Entry("bag", 0.99, 0.02, 0.1)));

        // Then both are gauges by label
        Scrape s = Scrape.parse(registry.scrape());
        assertThat(s.value("hardneg_mining_anchor_budget", "label", "shirt")).isEqualTo(1.0);
        assertThat(s.value("hardneg_mining_anchor_budget", "label", "bag")).isEqualTo(0.1);
        assertThat(s.value("hardneg_mining_label_purity", "label", "shirt")).isEqualTo(0.4);

        // When the next budget no longer has "bag"
        metrics.anchorBudget(Map.of("shirt", new LabelBudget.Entry("shirt", 0.5, 0.5, 0.8)));

        // Then its series are gone and the other's updated
        s = Scrape.parse(registry.scrape());
        assertThat(s.has("hardneg_mining_anchor_budget", "label", "bag")).isFalse();
        assertThat(s.value("hardneg_mining_anchor_budget", "label", "shirt")).isEqualTo(0.8);
    }
}
