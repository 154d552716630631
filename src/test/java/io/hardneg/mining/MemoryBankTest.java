package io.hardneg.mining;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class MemoryBankTest {

    private static EmbeddedImage entry(String id, String label, String version) {
        return new EmbeddedImage(id, label, version, new float[] {1, 0}, null, 0);
    }

    @Test
    void shouldKeepAtMostKSlotsPerLabelByKey() {
        MemoryBank bank = new MemoryBank(2, 4, 100);
        for (int i = 0; i < 50; i++) {
            bank.put(MemoryBank.key("cat", "id" + i, 4), entry("id" + i, "cat", "1"));
        }
        assertThat(bank.size()).isLessThanOrEqualTo(4);
    }

    @Test
    void shouldEvictTheOldestRowWhenFull() {
        MemoryBank bank = new MemoryBank(2, 10, 3);
        bank.put("a/0", entry("a0", "a", "1"));
        bank.put("b/0", entry("b0", "b", "1"));
        bank.put("c/0", entry("c0", "c", "1"));
        bank.put("d/0", entry("d0", "d", "1"));
        assertThat(bank.size()).isEqualTo(3);
        assertThat(bank.evictions()).isEqualTo(1);
        boolean present = bank.read(v -> {
            for (int r = 0; r < v.rows(); r++) {
                if ("a0".equals(v.id(r))) {
                    return true;
                }
            }
            return false;
        });
        assertThat(present).isFalse();
    }

    @Test
    void shouldRemoveOnTombstoneAndCountByVersion() {
        MemoryBank bank = new MemoryBank(2, 10, 10);
        bank.put("a/0", entry("a0", "a", "1"));
        bank.put("a/1", entry("a1", "a", "2"));
        bank.put("a/2", entry("a2", "a", "2"));
        assertThat(bank.sizeByVersion()).isEqualTo(Map.of("1", 1, "2", 2));
        assertThat(bank.sizeOf("2")).isEqualTo(2);
        bank.remove("a/1");
        assertThat(bank.sizeByVersion()).isEqualTo(Map.of("1", 1, "2", 1));
        assertThat(bank.sizeOf("1")).isEqualTo(1);
        assertThat(bank.sizeOf("2")).isEqualTo(1);
        assertThat(bank.sizeOf("3")).as("a version no entry carried").isZero();
    }

    @Test
    void shouldRefuseEntriesOfAnotherDimension() {
        MemoryBank bank = new MemoryBank(3, 10, 10);
        assertThatThrownBy(() -> bank.put("a/0", entry("a0", "a", "1")))
                .hasMessageContaining("dimension 2").hasMessageContaining("holds 3");
    }

    @Test
    void shouldTellARowsIdApartFromAnotherWithTheSameHash() {
        // "Aa" and "BB" share String.hashCode(): the hash only filters, the id decides
        assertThat("Aa".hashCode()).isEqualTo("BB".hashCode());
        MemoryBank bank = new MemoryBank(2, 10, 10);
        bank.put("a/0", entry("Aa", "a", "1"));
        bank.put("a/1", entry("img-é", "a", "1"));
        bank.remove("a/1");
        bank.put("a/1", entry("img-1", "a", "1"));
        bank.read(v -> {
            assertThat(v.holds(0, "Aa")).isTrue();
            assertThat(v.holds(0, "BB")).isFalse();
            assertThat(v.holds(0, "img-1")).isFalse();
            // a freed row is reused: its bytes follow its new id
            assertThat(v.holds(1, "img-1")).isTrue();
            assertThat(new String(v.idBytes(1), java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("img-1");
            return null;
        });
    }

    @Test
    void shouldGiveStableSlots() {
        assertThat(MemoryBank.key("cat", "img-42", 8)).isEqualTo(MemoryBank.key("cat", "img-42", 8));
        assertThat(MemoryBank.key("cat", "img-42", 8)).startsWith("cat/");
    }
}
