package io.hardneg.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.hardneg.broker.BrokerOptions;
import io.hardneg.broker.EmbeddedKafkaBroker;
import io.hardneg.data.LabeledImages;
import io.hardneg.metrics.DashboardQueriesTest;
import io.hardneg.service.HardnegService;
import io.hardneg.web.HeadlessChrome;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

/** Metrics, health and the live page of a service that has really streamed images through the broker. */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class ObservabilityIT {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static HttpResponse<String> get(int port, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Sample values by series ("name{labels}") from the Prometheus text format. */
    private static Map<String, Double> parse(String scrape) {
        Map<String, Double> m = new HashMap<>();
        for (String line : scrape.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int sp = line.lastIndexOf(' ');
            m.put(line.substring(0, sp), Double.parseDouble(line.substring(sp + 1)));
        }
        return m;
    }

    private static double sum(Map<String, Double> series, String name) {
        return series.entrySet().stream().filter(e -> e.getKey().equals(name) || e.getKey().startsWith(name + "{"))
                .mapToDouble(Map.Entry::getValue).sum();
    }

    @Test
    void shouldExposeMetricsHealthAndTheLivePageAfterAStream(@TempDir Path profile) throws Exception {
        int n = 600;
        LabeledImages sample = StreamingScenario.sample(n);
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(BrokerOptions.defaults())) {
            StreamingScenario scenario = new StreamingScenario(broker.bootstrapServers(), "it-observability",
                    Map.of("output.include-images", "true"));
            try {
                HardnegService service = scenario.startInstance();
                StreamingScenario.send(broker.bootstrapServers(), sample, 0, n, true);
                StreamingScenario.awaitProcessed(broker.bootstrapServers(), n + StreamingScenario.BAD.size(),
                        Duration.ofMinutes(2));
                int port = service.httpPort();

                // Then /metrics has our meters with the stream's numbers
                Thread.sleep(6000); // task-level Kafka Streams meters are bound by the binder's 5 s refresh
                HttpResponse<String> metrics = get(port, "/metrics");
                assertThat(metrics.statusCode()).isEqualTo(200);
                Map<String, Double> series = parse(metrics.body());
                assertThat(sum(series, "hardneg_embedded_images_total")).isEqualTo(n);
                assertThat(series.get("hardneg_images_total{code=\"none\",outcome=\"accepted\"}")).isEqualTo(n);
                assertThat(series.get("hardneg_dead_letters_total{code=\"EMPTY\"}")).isEqualTo(1.0);
                assertThat(series.get("hardneg_dead_letters_total{code=\"UNSUPPORTED_FORMAT\"}")).isEqualTo(2.0);
                assertThat(sum(series, "hardneg_triplets_mined_total")).isPositive();
                assertThat(sum(series, "hardneg_inference_batch_size_images_count")).isPositive();
                // the processor times its mining passes (a batch is mined once some of it is labeled)
                assertThat(sum(series, "hardneg_mining_latency_seconds_count")).isPositive();
                assertThat(sum(series, "hardneg_bank_entries")).isPositive();
                assertThat(series.keySet()).anyMatch(k -> k.startsWith("hardneg_model_info{") && k.contains("device=\"cpu\""));
                Set<String> names = new TreeSet<>();
                series.keySet().forEach(k -> names.add(k.contains("{") ? k.substring(0, k.indexOf('{')) : k));
                // And every metric the Grafana dashboard queries exists in this real scrape
                Set<String> missing = new TreeSet<>(DashboardQueriesTest.dashboardMetricNames());
                missing.removeIf(q -> names.stream().anyMatch(s -> s.equals(q) || s.startsWith(q + "_")));
                assertThat(missing).as("dashboard metrics missing from the scrape").isEmpty();

                // And /health says RUNNING
                HttpResponse<String> health = get(port, "/health");
                assertThat(health.statusCode()).isEqualTo(200);
                assertThat(health.body()).contains("\"state\":\"RUNNING\"").contains("\"device\":\"cpu\"");

                if (HeadlessChrome.available()) {
                    checkLivePage(port, profile);
                }

                // When the stream stops, /health turns 503
                service.streams().close(Duration.ofSeconds(30));
                HttpResponse<String> down = get(port, "/health");
                assertThat(down.statusCode()).isEqualTo(503);
                assertThat(down.body()).doesNotContain("\"state\":\"RUNNING\"");
            } finally {
                scenario.stopAll();
            }
        }
        Assumptions.assumeTrue(HeadlessChrome.available(), "live page part " + HeadlessChrome.MISSING);
    }

    private static void checkLivePage(int port, Path profile) throws Exception {
        ChromeDriver driver = HeadlessChrome.open(profile);
        try {
            driver.get("http://127.0.0.1:" + port + "/");
            new WebDriverWait(driver, Duration.ofSeconds(20)).until(d -> {
                List<WebElement> rows = d.findElements(By.cssSelector("#triplets tbody tr"));
                return !rows.isEmpty() && Boolean.TRUE.equals(((JavascriptExecutor) d).executeScript(
                        "const imgs = arguments[0].querySelectorAll('td.img img');"
                                + "return imgs.length === 3 && [...imgs].every(i => i.complete && i.naturalWidth > 0);",
                        rows.get(0)));
            });
            WebElement first = driver.findElements(By.cssSelector("#triplets tbody tr")).get(0);
            for (String cell : List.of("td.d-ap", "td.d-an", "td.gap")) {
                assertThat(first.findElement(By.cssSelector(cell)).getText()).matches("-?\\d+\\.\\d{3}");
            }
            new WebDriverWait(driver, Duration.ofSeconds(10)).until(d ->
                    "true".equals(d.findElement(By.id("heatmap")).getAttribute("data-drawn")));
            Path shot = Path.of("target", "live-page-stream.png");
            Files.createDirectories(shot.getParent());
            Files.write(shot, ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
        } finally {
            driver.quit();
        }
    }
}
