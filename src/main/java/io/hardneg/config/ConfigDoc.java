package io.hardneg.config;

import java.util.List;

/** Writes the table of every configuration key from {@link ConfigKeys}, as docs/configuration.md holds it. */
public final class ConfigDoc {

    /** The line before the generated table in docs/configuration.md. */
    public static final String BEGIN = "<!-- keys: generated from ConfigKeys by `hardneg config keys --markdown` -->";

    /** The line after it. */
    public static final String END = "<!-- end of keys -->";

    private ConfigDoc() {
    }

    /** The Markdown table, one row per key: key, default, allowed values, meaning; without the marker lines. */
    public static String markdownTable() {
        return markdownTable(ConfigKeys.all());
    }

    static String markdownTable(List<Setting<?>> settings) {
        StringBuilder out = new StringBuilder("| key | default | allowed | meaning |\n|---|---|---|---|\n");
        for (Setting<?> s : settings) {
            out.append("| `").append(s.key()).append("` | ")
                    .append(s.defaultValue().isEmpty() ? "(empty)" : "`" + s.defaultValue() + "`").append(" | ")
                    .append(markdown(s.allowed())).append(" | ")
                    .append(s.doc()).append(" |\n");
        }
        return out.toString();
    }

    /** One line per key for a terminal: key, default, allowed values. */
    public static String plainTable() {
        int width = ConfigKeys.all().stream().mapToInt(s -> s.key().length()).max().orElse(0);
        StringBuilder out = new StringBuilder();
        for (Setting<?> s : ConfigKeys.all()) {
            out.append(String.format("%-" + width + "s  %-16s  %s%n", s.key(),
                    s.defaultValue().isEmpty() ? "(empty)" : s.defaultValue(), s.allowed()));
        }
        return out.toString();
    }

    /** Allowed values as table text: '<' would open an HTML tag, '|' a cell. */
    private static String markdown(String allowed) {
        return allowed.replace("<", "&lt;").replace(">", "&gt;").replace("|", "\\|");
    }
}
