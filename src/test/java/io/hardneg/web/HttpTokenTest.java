package io.hardneg.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.hardneg.metrics.PipelineMetrics;
import io.hardneg.mining.MemoryBank;
import io.hardneg.model.Device;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** With http.auth.token-file the page, its API and the training images need the token; /metrics and /health do not. */
class HttpTokenTest {

    private static final String TOKEN = "tok+en/42";
    private static final String QUERY = "token=tok%2Ben%2F42";

    private final LiveView live = new LiveView(() -> PipelineMetrics.Totals.NONE);
    private final HttpClient client = HttpClient.newHttpClient();
    private HttpApi api;
    private String image;

    @BeforeEach
    void start() throws Exception {
        live.mined(TestTriplets.fashion(1), 0);
        api = HttpApi.start("127.0.0.1", 0, () -> "# scrape\n", live,
                HealthSource.of(() -> "RUNNING", () -> null, Device::cpu, () -> new MemoryBank(2, 1, 1)),
                AccessToken.of(TOKEN));
        image = "/api/images/" + live.latest().get(0).seq() + "/anchor";
    }

    @AfterEach
    void stop() {
        api.close();
    }

    private HttpResponse<String> get(String pathAndQuery, String authorization) throws Exception {
        return send("GET", pathAndQuery, authorization);
    }

    private HttpResponse<String> send(String method, String pathAndQuery, String authorization) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + pathAndQuery));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return client.send(b.method(method, HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.ISO_8859_1));
    }

    private List<String> guarded() {
        return List.of("/", "/index.html", "/app.js", "/app.css", "/api/triplets", "/api/pairs", "/api/stats", image);
    }

    @Test
    void shouldAnswer401WithAChallengeWithoutTheToken() throws Exception {
        for (String path : guarded()) {
            for (String auth : new String[] {null, "Bearer wrong", "Basic dG9rOmVu"}) {
                HttpResponse<String> r = get(path, auth);
                assertThat(r.statusCode()).as("%s with %s", path, auth).isEqualTo(401);
                assertThat(r.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"hardneg\"");
                assertThat(r.body()).doesNotContain(TOKEN);
            }
            assertThat(get(path + "?token=wrong", null).statusCode()).as(path).isEqualTo(401);
        }
    }

    @Test
    void shouldAnswer200WithTheTokenAsBearerHeaderOrQueryParameter() throws Exception {
        for (String path : guarded()) {
            assertThat(get(path, "Bearer " + TOKEN).statusCode()).as("%s, bearer", path).isEqualTo(200);
            assertThat(get(path + "?" + QUERY, null).statusCode()).as("%s, ?token=", path).isEqualTo(200);
        }
        assertThat(get(image + "?" + QUERY, null).headers().firstValue("Cache-Control"))
                .hasValueSatisfying(v -> assertThat(v).startsWith("private"));
    }

    @Test
    void shouldNotTellWhichPathsExistWithoutTheToken() throws Exception {
        assertThat(get("/nope", null).statusCode()).isEqualTo(401);
        assertThat(send("POST", "/", null).statusCode()).isEqualTo(401);
        assertThat(get("/nope", "Bearer " + TOKEN).statusCode()).isEqualTo(404);
        assertThat(send("POST", "/", "Bearer " + TOKEN).statusCode()).isEqualTo(405);
    }

    @Test
    void shouldLeaveMetricsAndHealthOpen() throws Exception {
        assertThat(get("/metrics", null).statusCode()).isEqualTo(200);
        assertThat(get("/health", null).statusCode()).isEqualTo(200);
    }

    @Test
    void shouldLoadThePageAssetsWithTheTokenItWasOpenedWith() throws Exception {
        String page = get("/?" + QUERY, null).body();

        assertThat(page).contains("src=\"/app.js?" + QUERY + "\"").contains("href=\"/app.css?" + QUERY + "\"");
        // And the script passes it on to its own requests
        assertThat(get("/app.js?" + QUERY, null).body())
                .contains("withToken(path)").contains("withToken(member.image)");
    }

    @Test
    void shouldServeThePageUnchangedWithoutAToken() throws Exception {
        try (HttpApi open = HttpApi.start("127.0.0.1", 0, () -> "", live,
                HealthSource.of(() -> "RUNNING", () -> null, Device::cpu, () -> new MemoryBank(2, 1, 1)))) {
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + open.port() + "/?token=x")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).contains("src=\"/app.js\"");
        }
    }
}
