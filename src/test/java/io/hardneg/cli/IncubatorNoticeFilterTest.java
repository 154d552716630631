package io.hardneg.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class IncubatorNoticeFilterTest {

    private static String filter(String stderr) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new IncubatorNoticeFilter(new ByteArrayInputStream(stderr.getBytes(StandardCharsets.UTF_8)), out).run();
        return out.toString(StandardCharsets.UTF_8);
    }

    @ParameterizedTest
    @ValueSource(strings = {"\n", "\r\n"})
    void shouldDropTheJdksIncubatorNoticeOnTheFirstLine(String newline) {
        String err = "hardneg: error: Unmatched argument at index 0: 'nope'" + newline;

        assertThat(filter(IncubatorNoticeFilter.NOTICE + newline + err)).isEqualTo(err);
    }

    @Test
    void shouldKeepEverythingWhenTheFirstLineIsSomethingElse() {
        String err = "10:10:07.375 INFO  [main] i.h.mining.DistancesProvider - mining kernel: scalar; a long line\n"
                + IncubatorNoticeFilter.NOTICE + "\nlast";

        assertThat(filter(err)).isEqualTo(err);
    }

    @Test
    void shouldKeepAShortFirstLineAndOutputWithoutANewline() {
        assertThat(filter("x\ny")).isEqualTo("x\ny");
        assertThat(filter("WARNING: Using incubator modules: jdk.incubator.vector")).isEqualTo(
                "WARNING: Using incubator modules: jdk.incubator.vector");
        assertThat(filter("")).isEmpty();
    }

    @Test
    void shouldKeepANoticeNamingOtherModules() {
        String err = "WARNING: Using incubator modules: jdk.incubator.vector, jdk.incubator.foreign\n";

        assertThat(filter(err)).isEqualTo(err);
    }
}
