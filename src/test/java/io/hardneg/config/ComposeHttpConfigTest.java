package io.hardneg.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** docker-compose.yml's hardneg service gets an HTTP configuration that starts: beyond loopback, it says why. */
class ComposeHttpConfigTest {

    @Test
    void shouldGiveTheComposeServiceAnHttpConfigurationThatPassesTheExposureCheck() throws Exception {
        // Given the environment docker-compose.yml gives the hardneg service
        JsonNode service = new YAMLMapper().readTree(Path.of("docker-compose.yml").toFile()).path("services")
                .path("hardneg");
        Map<String, String> env = new LinkedHashMap<>();
        service.path("environment").fields().forEachRemaining(e -> env.put(e.getKey(), e.getValue().asText()));

        // When loaded as the service would (throws if the host is exposed without a token or http.public)
        HardnegConfig.Http http = ConfigLoader.load(null, env, Map.of()).http();

        // Then it listens on every interface of the container, declared public because the port is published on
        // the host's loopback only
        assertThat(http.host()).isEqualTo("0.0.0.0");
        assertThat(http.isPublic()).isTrue();
        assertThat(service.path("ports").get(0).asText()).startsWith("127.0.0.1:");
    }

    @Test
    void shouldNameOnlyKnownKeysInTheComposeServicesEnvironment() throws Exception {
        // A misspelled HARDNEG_* variable is ignored, not refused (the environment holds others), so check it here
        JsonNode env = new YAMLMapper().readTree(Path.of("docker-compose.yml").toFile()).path("services")
                .path("hardneg").path("environment");
        java.util.Set<String> known = new java.util.HashSet<>();
        ConfigKeys.all().forEach(s -> known.add(s.envName()));

        env.fieldNames().forEachRemaining(name -> assertThat(known.contains(name) || name.startsWith("HARDNEG_KAFKA_"))
                .as("%s in docker-compose.yml names a configuration key", name).isTrue());
        assertThat(env.size()).isPositive();
    }
}
