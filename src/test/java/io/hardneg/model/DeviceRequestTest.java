package io.hardneg.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DeviceRequestTest {

    @ParameterizedTest
    @CsvSource({"auto, AUTO, 0, auto", "cpu, CPU, 0, cpu", "cuda, CUDA, 0, cuda:0", "cuda:1, CUDA, 1, cuda:1",
            "' CUDA:3 ', CUDA, 3, cuda:3"})
    void shouldParseEveryAllowedSpelling(String text, DeviceRequest.Mode mode, int id, String shown) {
        DeviceRequest r = DeviceRequest.parse(text);

        assertThat(r.mode()).isEqualTo(mode);
        assertThat(r.cudaId()).isEqualTo(id);
        assertThat(r).hasToString(shown);
    }

    @ParameterizedTest
    @ValueSource(strings = {"gpu", "cuda:x", "cuda:-1", "cuda:", "tpu", ""})
    void shouldRefuseAnythingElseNamingTheAllowedValues(String text) {
        assertThatThrownBy(() -> DeviceRequest.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'" + text + "'")
                .hasMessageContaining("auto, cpu, cuda, cuda:<id>");
    }
}
