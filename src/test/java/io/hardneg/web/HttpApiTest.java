package io.hardneg.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hardneg.image.InputSpec;
import io.hardneg.metrics.PipelineMetrics;
import io.hardneg.metrics.Scrape;
import io.hardneg.mining.MemoryBank;
import io.hardneg.mining.Triplet;
import io.hardneg.model.Device;
import io.hardneg.model.ModelInfo;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class HttpApiTest {

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final PipelineMetrics metrics = new PipelineMetrics(registry);
    private final LiveView live = new LiveView(metrics);
    private final AtomicReference<String> state = new AtomicReference<>("RUNNING");
    private final MemoryBank bank = new MemoryBank(4, 10, 100);
    private final ModelInfo model = new ModelInfo("fashion-triplet", "3", (InputSpec) null, 64, true, List.of(),
            Set.of(), Set.of(), "sha", "test");
    private final HttpClient client = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();
    private HttpApi api;

    @BeforeEach
    void start() throws Exception {
        api = HttpApi.start("127.0.0.1", 0, registry, live,
                HealthSource.of(state::get, () -> model, Device::cpu, () -> bank));
    }

    @AfterEach
    void stop() {
        api.close();
        metrics.close();
    }

    private HttpResponse<byte[]> send(String method, String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + path))
                .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private HttpResponse<byte[]> get(String path) throws Exception {
        return send("GET", path);
    }

    private JsonNode jsonOf(HttpResponse<byte[]> r) throws Exception {
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json; charset=utf-8");
        return json.readTree(r.body());
    }

    @Test
    void shouldAnswerHealthy200WhenRunningAnd503WhenRebalancing() throws Exception {
        HttpResponse<byte[]> ok = get("/health");
        assertThat(ok.statusCode()).isEqualTo(200);
        JsonNode h = jsonOf(ok);
        assertThat(h.get("state").asText()).isEqualTo("RUNNING");
        assertThat(h.get("model_version").asText()).isEqualTo("3");
        assertThat(h.get("model_name").asText()).isEqualTo("fashion-triplet");
        assertThat(h.get("device").asText()).isEqualTo("cpu");
        assertThat(h.get("bank_entries").asInt()).isZero();
        assertThat(h.get("uptime_s").asDouble()).isPositive();

        // When Kafka Streams starts rebalancing
        state.set("REBALANCING");

        HttpResponse<byte[]> down = get("/health");
        assertThat(down.statusCode()).isEqualTo(503);
        assertThat(jsonOf(down).get("state").asText()).isEqualTo("REBALANCING");
    }

    @Test
    void shouldServeAParsablePrometheusScrape() throws Exception {
        metrics.embedded(System.currentTimeMillis());
        metrics.mined(TestTriplets.fashion(3), 0);

        HttpResponse<byte[]> r = get("/metrics");

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
        Scrape s = Scrape.parse(new String(r.body(), java.nio.charset.StandardCharsets.UTF_8));
        assertThat(s.value("hardneg_embedded_images_total")).isEqualTo(1.0);
        assertThat(s.value("hardneg_triplets_mined_total", "kind", "semihard")).isEqualTo(1.0);
        assertThat(s.value("hardneg_triplets_mined_total", "kind", "hard")).isEqualTo(2.0);
    }

    @Test
    void shouldListFedTripletsNewestFirstWithImageUrlsThatReturnTheBytes() throws Exception {
        List<Triplet> fed = TestTriplets.fashion(3);
        live.mined(fed, 0);

        JsonNode list = jsonOf(get("/api/triplets")).get("triplets");

        assertThat(list).hasSize(3);
        JsonNode newest = list.get(0);
        Triplet last = fed.get(2);
        assertThat(newest.get("anchor").get("id").asText()).isEqualTo(last.anchor().id());
        assertThat(newest.get("negative").get("label").asText()).isEqualTo(last.negative().label());
        assertThat(newest.get("d_ap").floatValue()).isEqualTo(last.dAp());
        assertThat(newest.get("d_an").floatValue()).isEqualTo(last.dAn());
        assertThat(newest.get("kind").asText()).isEqualTo(last.kind().wireName());
        assertThat(newest.get("model_version").asText()).isEqualTo("3");
        for (String role : List.of("anchor", "positive", "negative")) {
            String url = newest.get(role).get("image").asText();
            assertThat(url).matches("/api/images/\\d+/" + role);
            HttpResponse<byte[]> img = get(url);
            assertThat(img.statusCode()).isEqualTo(200);
            assertThat(img.headers().firstValue("Content-Type")).hasValue("image/png");
        }
        assertThat(get(newest.get("negative").get("image").asText()).body()).isEqualTo(last.negative().image());
    }

    @Test
    void shouldCountHardNegativeClassPairs() throws Exception {
        live.mined(TestTriplets.fashion(3), 0);

        JsonNode p = jsonOf(get("/api/pairs"));

        List<String> labels = json.convertValue(p.get("labels"), json.getTypeFactory()
                .constructCollectionType(List.class, String.class));
        Triplet hard = TestTriplets.fashion(3).get(1);
        int a = labels.indexOf(hard.anchor().label());
        int n = labels.indexOf(hard.negative().label());
        assertThat(p.get("hard").get(a).get(n).asLong()).isEqualTo(1);
    }

    @Test
    void shouldReportStatsWithModelDeviceAndBank() throws Exception {
        metrics.accepted(true);
        metrics.embedded(System.currentTimeMillis());
        metrics.deadLettered(io.hardneg.error.ErrorCode.UNDECODABLE);

        JsonNode s = jsonOf(get("/api/stats"));

        assertThat(s.get("model").get("version").asText()).isEqualTo("3");
        assertThat(s.get("model").get("device").asText()).isEqualTo("cpu");
        assertThat(s.get("bank").get("capacity").asInt()).isEqualTo(100);
        assertThat(s.get("totals").get("embedded").asLong()).isEqualTo(1);
        assertThat(s.get("totals").get("accepted").asLong()).isEqualTo(1);
        assertThat(s.get("totals").get("dead_lettered").asLong()).isEqualTo(1);
        assertThat(s.get("totals").get("hard").asLong()).isZero();
        assertThat(s.has("images_per_s")).isTrue();
        assertThat(s.get("triplets_per_s").has("hard")).isTrue();
    }

    @Test
    void shouldServeTheLivePageWithoutExternalResources() throws Exception {
        HttpResponse<byte[]> page = get("/");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
        String html = new String(page.body(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(html).contains("<canvas id=\"heatmap\"").doesNotContain("http://").doesNotContain("https://");
        assertThat(get("/app.js").statusCode()).isEqualTo(200);
        assertThat(get("/app.css").statusCode()).isEqualTo(200);
    }

    @Test
    void shouldAnswer404ForUnknownPathsAndGoneImages() throws Exception {
        HttpResponse<byte[]> r = get("/nope");
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(jsonOf(r).get("error").asText()).isEqualTo("not found");
        assertThat(get("/api/images/999/anchor").statusCode()).isEqualTo(404);
        assertThat(get("/api/images/x/anchor").statusCode()).isEqualTo(404);
        assertThat(get("/api/images/1/elbow").statusCode()).isEqualTo(404);
    }

    @Test
    void shouldAnswer405ForWrongMethods() throws Exception {
        HttpResponse<byte[]> r = send("POST", "/health");
        assertThat(r.statusCode()).isEqualTo(405);
        assertThat(r.headers().firstValue("Allow")).hasValue("GET");
        assertThat(send("DELETE", "/metrics").statusCode()).isEqualTo(405);
    }

    @Test
    void shouldAnswer503NotErrorWhenTheHealthSourceFails() throws Exception {
        state.set(null);
        HttpResponse<byte[]> r = get("/health");
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(jsonOf(r).get("state").asText()).isEqualTo("UNKNOWN");
    }

    @Test
    void shouldAnswer500WithJsonWhenAHandlerFails() throws Exception {
        try (HttpApi failing = HttpApi.start("127.0.0.1", 0, () -> {
            throw new IllegalStateException("registry closed");
        }, live, HealthSource.of(state::get, () -> model, Device::cpu, () -> bank))) {
            HttpResponse<byte[]> r = client.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + failing.port() + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertThat(r.statusCode()).isEqualTo(500);
            assertThat(jsonOf(r).get("message").asText()).isEqualTo("registry closed");
        }
    }

    @Test
    void shouldSniffImageContentTypes() {
        assertThat(HttpApi.contentType(new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10})).isEqualTo("image/png");
        assertThat(HttpApi.contentType(new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, 0})).isEqualTo("image/jpeg");
        assertThat(HttpApi.contentType("GIF89a".getBytes())).isEqualTo("image/gif");
        assertThat(HttpApi.contentType("BM....".getBytes())).isEqualTo("image/bmp");
        assertThat(HttpApi.contentType("hello".getBytes())).isEqualTo("application/octet-stream");
    }
}
