package io.hardneg.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.hardneg.image.InputSpec;
import io.hardneg.metrics.PipelineMetrics;
import io.hardneg.mining.MemoryBank;
import io.hardneg.model.Device;
import io.hardneg.model.ModelInfo;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/** Loads the live page in headless Chromium and checks that it shows triplet images, distances and the heatmap. */
class LivePageBrowserTest {

    @Test
    @Timeout(120)
    void shouldShowTripletImagesDistancesAndHeatmapInABrowser(@TempDir Path profile) throws Exception {
        Assumptions.assumeTrue(HeadlessChrome.available(), HeadlessChrome.MISSING);

        // Given a service that has mined triplets of real Fashion-MNIST PNGs
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        PipelineMetrics metrics = new PipelineMetrics(registry);
        LiveView live = new LiveView(metrics);
        metrics.embedded(System.currentTimeMillis());
        metrics.mined(TestTriplets.fashion(12), 2);
        live.mined(TestTriplets.fashion(12), 2);
        MemoryBank bank = new MemoryBank(4, 10, 100);
        ModelInfo model = new ModelInfo("fashion-triplet", "3", (InputSpec) null, 64, true, List.of(), Set.of(),
                Set.of(), "sha", "test");
        try (metrics; HttpApi api = HttpApi.start("127.0.0.1", 0, registry, live,
                HealthSource.of(() -> "RUNNING", () -> model, Device::cpu, () -> bank))) {
            ChromeDriver driver = HeadlessChrome.open(profile);
            try {
                driver.manage().window().setSize(new Dimension(1500, 1300));

                // When the page is opened
                driver.get("http://127.0.0.1:" + api.port() + "/");

                // Then a triplet row shows three loaded images and numbers in the distance cells
                new WebDriverWait(driver, Duration.ofSeconds(20)).until(d -> {
                    List<WebElement> rows = d.findElements(By.cssSelector("#triplets tbody tr"));
                    if (rows.isEmpty()) {
                        return false;
                    }
                    Object loaded = ((JavascriptExecutor) d).executeScript(
                            "const imgs = arguments[0].querySelectorAll('td.img img');"
                                    + "return imgs.length === 3 && [...imgs].every(i => i.complete && i.naturalWidth > 0);",
                            rows.get(0));
                    return Boolean.TRUE.equals(loaded);
                });
                List<WebElement> rows = driver.findElements(By.cssSelector("#triplets tbody tr"));
                assertThat(rows).hasSizeGreaterThanOrEqualTo(12);
                WebElement first = rows.get(0);
                for (String cell : List.of("td.d-ap", "td.d-an", "td.gap")) {
                    assertThat(first.findElement(By.cssSelector(cell)).getText()).matches("-?\\d+\\.\\d{3}");
                }
                assertThat(first.findElements(By.cssSelector("figcaption")).get(0).getText())
                        .isIn("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker",
                                "Bag", "Ankle boot");
                Number width = (Number) driver.executeScript(
                        "return document.querySelector('#triplets td.img img').naturalWidth;");
                assertThat(width.intValue()).isEqualTo(28);

                // And the heatmap is drawn, and the rates and model are shown
                new WebDriverWait(driver, Duration.ofSeconds(10)).until(d ->
                        "true".equals(d.findElement(By.id("heatmap")).getAttribute("data-drawn")));
                assertThat(driver.findElement(By.id("model")).getText()).isEqualTo("fashion-triplet v3");
                assertThat(driver.findElement(By.id("device")).getText()).isEqualTo("cpu");
                assertThat(driver.findElement(By.id("status")).getText()).isEqualTo("RUNNING");

                Path shot = Path.of("target", "live-page.png");
                Files.createDirectories(shot.getParent());
                Files.write(shot, ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
            } finally {
                driver.quit();
                registry.close();
            }
        }
    }

    @Test
    @Timeout(120)
    void shouldShowTheImagesBehindAnAccessTokenWhenOpenedWithIt(@TempDir Path profile) throws Exception {
        Assumptions.assumeTrue(HeadlessChrome.available(), HeadlessChrome.MISSING);

        // Given a server behind an access token, with mined triplets
        LiveView live = new LiveView(() -> PipelineMetrics.Totals.NONE);
        live.mined(TestTriplets.fashion(3), 0);
        try (HttpApi api = HttpApi.start("127.0.0.1", 0, () -> "", live,
                HealthSource.of(() -> "RUNNING", () -> null, Device::cpu, () -> new MemoryBank(4, 10, 100)),
                AccessToken.of("t&k=n"))) {
            ChromeDriver driver = HeadlessChrome.open(profile);
            try {
                // When the page is opened with ?token= (a browser sends no Authorization header of its own)
                driver.get("http://127.0.0.1:" + api.port() + "/?token=t%26k%3Dn");

                // Then its script, style, API polls and images all pass: three images load, the state shows
                new WebDriverWait(driver, Duration.ofSeconds(20)).until(d -> Boolean.TRUE.equals(
                        ((JavascriptExecutor) d).executeScript("const imgs = document.querySelectorAll("
                                + "'#triplets tbody tr:first-child td.img img');"
                                + "return imgs.length === 3"
                                + " && [...imgs].every(i => i.complete && i.naturalWidth > 0);")));
                assertThat(driver.findElement(By.id("status")).getText()).isEqualTo("RUNNING");
                // And the style sheet loaded: app.css makes the header a flex box (a browser's default is block)
                assertThat((String) driver.executeScript(
                        "return getComputedStyle(document.querySelector('header')).display;")).isEqualTo("flex");
            } finally {
                driver.quit();
            }
        }
    }
}
