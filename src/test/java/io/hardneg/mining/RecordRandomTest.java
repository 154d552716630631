package io.hardneg.mining;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class RecordRandomTest {

    @Test
    void shouldHashTheUtf8BytesOfEachFieldWhateverTheCharacters() {
        for (String s : List.of("", "a17", "é", "漢字/3", "img-😀", "lone\uD800x", "tail\uDC00")) {
            // FNV-1a 64 written out over String.getBytes(UTF_8)
            long expected = RecordRandom.EMPTY;
            for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
                expected = (expected ^ (b & 0xFF)) * 0x100000001b3L;
            }
            assertThat(RecordRandom.bytes(RecordRandom.EMPTY, s)).as(s).isEqualTo(expected);
            // the miner hashes bank rows from their stored UTF-8 bytes: the same value
            assertThat(RecordRandom.bytes(RecordRandom.EMPTY, s.getBytes(StandardCharsets.UTF_8))).as(s)
                    .isEqualTo(expected);
        }
    }

    @Test
    void shouldDrawTheSameFromAnIdsBytesAsFromTheId() {
        long anchor = RecordRandom.anchor("a1", "v2");
        for (String id : List.of("n9", "漢字/3", "img-😀", "lone\uD800x")) {
            byte[] utf8 = id.getBytes(StandardCharsets.UTF_8);
            assertThat(RecordRandom.field(anchor, utf8)).as(id).isEqualTo(RecordRandom.field(anchor, id));
            long candidate = RecordRandom.field(anchor, "c7");
            assertThat(RecordRandom.negative(candidate, utf8)).as(id)
                    .isEqualTo(RecordRandom.uniform("a1", "v2", "c7", "neg:" + id));
        }
    }

    @Test
    void shouldStreamTheSameDrawsAsTheDefinition() {
        long anchor = RecordRandom.anchor("a1", "v2");
        long candidate = RecordRandom.field(anchor, "n9");
        assertThat(RecordRandom.positive(candidate)).isEqualTo(RecordRandom.uniform("a1", "v2", "n9", "pos"));
        assertThat(RecordRandom.negative(candidate, "p4".getBytes(StandardCharsets.UTF_8)))
                .isEqualTo(RecordRandom.uniform("a1", "v2", "n9", "neg:p4"));
        assertThat(RecordRandom.anchorDraw("a1", "v2")).isEqualTo(RecordRandom.uniform("a1", "v2", "", "anchor"));
        // the separator keeps ("ab", "c") and ("a", "bc") apart
        assertThat(RecordRandom.uniform("ab", "c", "x", "pos"))
                .isNotEqualTo(RecordRandom.uniform("a", "bc", "x", "pos"));
    }

    @Test
    void shouldKeepItsValuesAcrossReleasesAndStayInsideTheOpenUnitInterval() {
        // Pinned (computed apart, in Python, from the definition): a new hash would change every choice a replay
        // makes after an upgrade.
        assertThat(RecordRandom.uniform("a1", "v2", "n9", "pos")).isEqualTo(0.8733596841561567);
        assertThat(RecordRandom.uniform(0L)).isGreaterThan(0.0).isLessThan(1.0);
        assertThat(RecordRandom.uniform(-1L)).isGreaterThan(0.0).isLessThan(1.0);
        // the extreme draws: h's top 52 bits all 0 or all 1
        assertThat(RecordRandom.gumbel(0.5 * 0x1.0p-52)).isFinite();
        assertThat(RecordRandom.gumbel(((1L << 52) - 0.5) * 0x1.0p-52)).isFinite();
        assertThat(((1L << 52) - 0.5) * 0x1.0p-52).isLessThan(1.0);
    }
}
