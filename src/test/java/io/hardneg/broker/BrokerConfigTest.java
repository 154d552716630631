package io.hardneg.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BrokerConfigTest {

    @Test
    void shouldAddEachExtraListenerWithItsPortAndProtocolAndKeepTheBrokerOnPlaintext() {
        BrokerOptions options = BrokerOptions.defaults().withListener("SSL", "SSL")
                .withListener("SASL_SSL", "SASL_SSL");

        Map<String, String> c = BrokerConfig.build(options, Path.of("/tmp/x"), 9092, 9093,
                Map.of("SSL", 9094, "SASL_SSL", 9095));

        assertThat(c.get("listeners")).isEqualTo("PLAINTEXT://127.0.0.1:9092,SSL://127.0.0.1:9094,"
                + "SASL_SSL://127.0.0.1:9095,CONTROLLER://127.0.0.1:9093");
        assertThat(c.get("advertised.listeners"))
                .isEqualTo("PLAINTEXT://127.0.0.1:9092,SSL://127.0.0.1:9094,SASL_SSL://127.0.0.1:9095");
        assertThat(c.get("listener.security.protocol.map"))
                .isEqualTo("PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,SSL:SSL,SASL_SSL:SASL_SSL");
        assertThat(c.get("inter.broker.listener.name")).isEqualTo("PLAINTEXT");
    }

    @Test
    void shouldRefuseAListenerNamedLikeOursOrNotUpperCase() {
        assertThatThrownBy(() -> BrokerOptions.defaults().withListener("CONTROLLER", "SSL"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("CONTROLLER");
        assertThatThrownBy(() -> BrokerOptions.defaults().withListener("ssl", "SSL"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("was ssl");
    }
}
