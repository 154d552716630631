package io.hardneg.config;

import java.util.Locale;

/**
 * One configuration key, declared once: its name, its default, how its text becomes a value (and what it allows),
 * and what it means. {@link ConfigKeys} holds them all; the loader, the error messages, the environment names and
 * docs/configuration.md's table are derived from them, like Kafka's {@code ConfigDef}.
 *
 * @param key          the dotted name, e.g. {@code mining.alpha}
 * @param defaultValue the text the loader starts from; {@code ""} for none
 * @param type         parses and validates the text
 * @param doc          one line of Markdown for the table: what the key means (not what it allows: that is the type's)
 * @param <T>          the parsed value's type
 */
public record Setting<T>(String key, String defaultValue, Type<T> type, String doc) {

    /** Environment variables hold neither '.' nor '-': {@code mining.anchor-share} ↔ HARDNEG_MINING_ANCHOR_SHARE. */
    static final String ENV_PREFIX = "HARDNEG_";

    public Setting {
        if (key.isBlank() || !key.equals(key.trim()) || doc.isBlank()) {
            throw new IllegalArgumentException("a setting needs a key without surrounding blanks and a doc: '"
                    + key + "'");
        }
        // A default the key itself refuses would fail every start-up; fail when the declaration is loaded instead.
        type.parse(key, defaultValue);
    }

    /** The value of {@code text} (trimmed), or a {@link ConfigException} naming the key, the text and the allowed. */
    public T parse(String text) {
        return type.parse(key, text.trim());
    }

    /** The default, parsed. */
    public T defaultParsed() {
        return parse(defaultValue);
    }

    /** What the key accepts, as the error messages say it after "expected". */
    public String allowed() {
        return type.allowed();
    }

    /** The environment variable that sets this key. */
    public String envName() {
        return ENV_PREFIX + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    /**
     * How a key's text becomes a value.
     *
     * @param <T> the value's type
     */
    public interface Type<T> {

        /** The value of the trimmed {@code text}, or a one-line {@link ConfigException} naming {@code key}. */
        T parse(String key, String text);

        /** What is allowed, e.g. {@code 1..1000} or {@code one of true, false}. */
        String allowed();
    }
}
