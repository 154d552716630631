package io.hardneg.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hardneg.config.ConfigException;
import io.hardneg.config.ConfigLoader;
import io.hardneg.config.HardnegConfig;
import io.hardneg.metrics.PipelineMetrics;
import io.hardneg.mining.MemoryBank;
import io.hardneg.model.Device;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The HTTP endpoints are loopback-only unless a token guards them or they are declared public, and read-only. */
class HttpBindingTest {

    @Test
    void shouldBindToLoopbackByDefaultAndAnswerOnlyGet() throws Exception {
        // Given the default configuration
        HardnegConfig.Http http = ConfigLoader.fromMap(Map.of("bootstrap.servers", "x:9092")).http();
        assertThat(http.host()).isEqualTo("127.0.0.1");
        assertThat(http.port()).isEqualTo(HttpApi.DEFAULT_PORT);
        try (HttpApi api = HttpApi.start(http.host(), 0, () -> "", new LiveView(() -> PipelineMetrics.Totals.NONE),
                HealthSource.of(() -> "RUNNING", () -> null, Device::cpu, () -> new MemoryBank(2, 1, 1)))) {
            // Then it listens on the loopback address only
            assertThat(api.address().getAddress().isLoopbackAddress()).isTrue();
            // And every path refuses every method but GET
            HttpClient client = HttpClient.newHttpClient();
            for (String path : List.of("/", "/metrics", "/health", "/api/triplets", "/api/stats")) {
                for (String method : List.of("POST", "PUT", "DELETE", "PATCH")) {
                    HttpResponse<String> r = client.send(HttpRequest.newBuilder(
                                    URI.create("http://127.0.0.1:" + api.port() + path))
                            .method(method, HttpRequest.BodyPublishers.ofString("x")).build(),
                            HttpResponse.BodyHandlers.ofString());
                    assertThat(r.statusCode()).as("%s %s", method, path).isEqualTo(405);
                }
            }
        }
    }

    @Test
    void shouldBindBeyondLoopbackOnlyWithATokenFileOrDeclaredPublic() {
        HardnegConfig.Http withToken = ConfigLoader.fromMap(Map.of("bootstrap.servers", "x:9092",
                "http.host", "0.0.0.0", "http.auth.token-file", "/run/secrets/hardneg-http-token")).http();
        HardnegConfig.Http declaredPublic = ConfigLoader.fromMap(Map.of("bootstrap.servers", "x:9092",
                "http.host", "0.0.0.0", "http.public", "true")).http();

        assertThat(withToken.host()).isEqualTo("0.0.0.0");
        assertThat(withToken.tokenFile()).isEqualTo(Path.of("/run/secrets/hardneg-http-token"));
        assertThat(declaredPublic.host()).isEqualTo("0.0.0.0");
        assertThat(declaredPublic.isPublic()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"0.0.0.0", "::", "192.168.1.20", "example.org"})
    void shouldRefuseAHostBeyondLoopbackWithoutTokenOrPublicInOneLine(String host) {
        assertThatThrownBy(() -> ConfigLoader.fromMap(Map.of("bootstrap.servers", "x:9092", "http.host", host)))
                .isInstanceOf(ConfigException.class)
                .hasMessage("http.host=" + host + " serves the live page and its training images beyond this "
                        + "machine; set http.auth.token-file (an access token) or http.public=true, or bind 127.0.0.1");
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "127.0.1.1", "localhost", "LOCALHOST", "::1", "[::1]"})
    void shouldAcceptLoopbackHostsWithoutToken(String host) {
        assertThat(ConfigLoader.fromMap(Map.of("bootstrap.servers", "x:9092", "http.host", host)).http().host())
                .isEqualTo(host);
    }
}
