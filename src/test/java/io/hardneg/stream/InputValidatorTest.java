package io.hardneg.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hardneg.config.HardnegConfig;
import io.hardneg.error.ErrorCode;
import io.hardneg.error.InvalidInputException;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

class InputValidatorTest {

    private final InputValidator validator = new InputValidator(new HardnegConfig.Input(1024, 1 << 20, 8, 4));

    private static RecordHeaders label(String s) {
        RecordHeaders h = new RecordHeaders();
        h.add(RecordHeaderNames.LABEL, s.getBytes(StandardCharsets.UTF_8));
        return h;
    }

    @Test
    void shouldRefuseLabelOverTheLimitInBytesEvenWithFewerCharacters() {
        // Given a limit of 8 and a label of 3 characters that are 9 bytes of UTF-8 (found by HostileInputFuzzTest:
        // the limit was counted in UTF-16 units, contrary to docs/topics.md)
        RecordHeaders headers = label("猫猫猫");
        // When / Then
        assertThatThrownBy(() -> validator.validate(new byte[] {1}, headers))
                .isInstanceOfSatisfying(InvalidInputException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_LABEL))
                .hasMessageContaining("9 bytes");
    }

    @Test
    void shouldAcceptLabelOfExactlyTheLimitInBytes() throws Exception {
        assertThat(validator.validate(new byte[] {1}, label("猫猫xy"))).isEqualTo("猫猫xy");
    }
}
