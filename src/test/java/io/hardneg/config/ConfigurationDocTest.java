package io.hardneg.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Keeps {@code docs/configuration.md} honest: its "Keys" table is the one {@link ConfigDoc} generates from
 * {@link ConfigKeys}, so it lists every key with its real default and no key the code does not know. One row per
 * key: {@code | `key` | `default` | allowed | meaning |}, or {@code (empty)} as the default for the empty string.
 * The README's shorter table may name only known keys, with their real defaults where it quotes them.
 */
class ConfigurationDocTest {

    private static final Path DOC = Path.of("docs", "configuration.md");
    private static final Path README = Path.of("README.md");
    private static final Pattern QUOTED = Pattern.compile("^`([^`]*)`$");
    private static final Pattern ROW = Pattern.compile("^\\|\\s*`([^`]+)`\\s*\\|\\s*([^|]*?)\\s*\\|.*$");
    private static final Pattern CODE = Pattern.compile("^`([^`]*)`");

    @Test
    void everyKeyOfTheCodeIsDocumentedWithItsDefaultAndNothingElse() throws IOException {
        Map<String, String> documented = documentedDefaults(Files.readAllLines(DOC, StandardCharsets.UTF_8));

        assertThat(documented.keySet()).as("keys in %s", DOC)
                .containsExactlyInAnyOrderElementsOf(ConfigLoader.DEFAULTS.keySet());
        ConfigLoader.DEFAULTS.forEach((key, value) -> assertThat(documented.get(key))
                .as("documented default of %s in %s", key, DOC).isEqualTo(value));
    }

    @Test
    void theKeysTableIsTheGeneratedOne() throws IOException {
        String doc = Files.readString(DOC, StandardCharsets.UTF_8);
        int begin = doc.indexOf(ConfigDoc.BEGIN + "\n");
        int end = doc.indexOf(ConfigDoc.END);
        assertThat(begin).as("marker line %s in %s", ConfigDoc.BEGIN, DOC).isNotNegative();
        assertThat(end).as("marker line %s in %s", ConfigDoc.END, DOC).isGreaterThan(begin);

        assertThat(doc.substring(begin + ConfigDoc.BEGIN.length() + 1, end))
                .as("the table in %s; regenerate it with `hardneg config keys --markdown`", DOC)
                .isEqualTo(ConfigDoc.markdownTable());
    }

    @Test
    void theReadmeNamesOnlyKnownKeysWithTheirRealDefaults() throws IOException {
        List<String> lines = Files.readAllLines(README, StandardCharsets.UTF_8);
        int header = lines.indexOf("| key | default | meaning |");
        assertThat(header).as("the key settings table in %s", README).isNotNegative();
        int rows = 0;
        for (String line : lines.subList(header + 2, lines.size())) {
            if (!line.startsWith("|")) {
                break;
            }
            String[] cells = line.split("\\|");
            String[] keys = cells[1].trim().split(" / ");
            String[] defaults = cells[2].trim().split(" / ");
            for (int i = 0; i < keys.length; i++) {
                Matcher key = QUOTED.matcher(keys[i].trim());
                assertThat(key.matches()).as("a `key` in %s: %s", README, line).isTrue();
                assertThat(ConfigLoader.DEFAULTS).as("keys in %s", README).containsKey(key.group(1));
                Matcher quotedDefault = QUOTED.matcher(i < defaults.length ? defaults[i].trim() : "");
                if (quotedDefault.matches()) {
                    assertThat(quotedDefault.group(1)).as("default of %s in %s", key.group(1), README)
                            .isEqualTo(ConfigLoader.DEFAULTS.get(key.group(1)));
                }
                rows++;
            }
        }
        assertThat(rows).as("keys in %s's table", README).isGreaterThan(10);
    }

    @Test
    void theParserReadsRowsAsTheDocWritesThem() {
        List<String> lines = List.of("## Keys", "", "| key | default | meaning |", "|---|---|---|",
                "| `a.b` | `12` | twelve |", "| `c` | (empty) | nothing |", "| `d` | `x` (an x) | why |",
                "", "## Next", "| `e` | `1` | not in the keys table |");
        assertThat(documentedDefaults(lines)).containsExactly(Map.entry("a.b", "12"), Map.entry("c", ""),
                Map.entry("d", "x"));
    }

    /** Key → default from the rows of the "## Keys" section; a malformed default cell is kept as written. */
    static Map<String, String> documentedDefaults(List<String> lines) {
        Map<String, String> out = new LinkedHashMap<>();
        List<String> duplicates = new ArrayList<>();
        boolean inKeys = false;
        for (String line : lines) {
            if (line.startsWith("## ")) {
                inKeys = line.trim().equals("## Keys");
                continue;
            }
            Matcher row = ROW.matcher(line.trim());
            if (!inKeys || !row.matches()) {
                continue;
            }
            String cell = row.group(2);
            Matcher code = CODE.matcher(cell);
            String value = cell.startsWith("(empty)") ? "" : code.find() ? code.group(1) : cell;
            if (out.put(row.group(1), value) != null) {
                duplicates.add(row.group(1));
            }
        }
        assertThat(duplicates).as("keys documented twice").isEmpty();
        return out;
    }
}
