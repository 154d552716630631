package io.hardneg.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hardneg.metrics.PipelineMetrics;
import io.hardneg.mining.LabelBudget;
import io.hardneg.mining.MemoryBank;
import io.hardneg.model.Device;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AnchorBudgetPageTest {

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final LiveView live = new LiveView(() -> PipelineMetrics.Totals.NONE);
    private HttpApi api;

    @BeforeEach
    void start() throws Exception {
        MemoryBank bank = new MemoryBank(4, 10, 100);
        api = HttpApi.start("127.0.0.1", 0, registry, live,
                HealthSource.of(() -> "RUNNING", () -> null, Device::cpu, () -> bank));
    }

    @AfterEach
    void stop() {
        api.close();
    }

    private JsonNode pairs() throws Exception {
        HttpResponse<byte[]> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + api.port() + "/api/pairs")).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        return new ObjectMapper().readTree(r.body());
    }

    @Test
    void shouldShowTheAnchorBudgetBesideTheClassPairsOnceThereIsOne() throws Exception {
        // Given no budget (every anchor mined), the page gets an empty one
        assertThat(pairs().get("budget").size()).isZero();

        // When the budget is computed
        live.anchorBudget(Map.of("6", new LabelBudget.Entry("6", 0.45, 0.55, 1.0),
                "8", new LabelBudget.Entry("8", 0.98, 0.02, 0.05)));

        // Then each label's share and purity are served
        JsonNode budget = pairs().get("budget");
        assertThat(budget.get("6").get("p").asDouble()).isEqualTo(1.0);
        assertThat(budget.get("6").get("purity").asDouble()).isEqualTo(0.45);
        assertThat(budget.get("8").get("p").asDouble()).isEqualTo(0.05);
    }
}
