package io.hardneg.config;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.DoublePredicate;
import java.util.function.Function;

/** The value types of {@link ConfigKeys}; each refuses a bad value in one line: the key, the value, what is allowed. */
final class Types {

    private Types() {
    }

    /** Any text, trimmed; empty allowed. */
    static Setting.Type<String> text() {
        return of("any text, or empty", (key, s) -> s);
    }

    static Setting.Type<String> nonBlank() {
        return of("any non-empty text", (key, s) -> {
            if (s.isEmpty()) {
                throw new ConfigException(key + " must not be empty");
            }
            return s;
        });
    }

    /** A file path; empty is none ({@code null}). */
    static Setting.Type<Path> optionalPath() {
        return of("a path, or empty for none", (key, s) -> s.isEmpty() ? null : Path.of(s));
    }

    static Setting.Type<Boolean> bool() {
        Setting.Type<String> names = choice(List.of("true", "false"), n -> n);
        return of(names.allowed(), (key, s) -> Boolean.parseBoolean(names.parse(key, s)));
    }

    /** One of {@code names} (any case), mapped to its value; {@code names} in the order the messages list them. */
    static <T> Setting.Type<T> choice(List<String> names, Function<String, T> value) {
        Map<String, T> byName = new LinkedHashMap<>();
        names.forEach(n -> byName.put(n, value.apply(n)));
        String allowed = "one of " + String.join(", ", names);
        return of(allowed, (key, s) -> {
            T v = byName.get(s.toLowerCase(Locale.ROOT));
            if (v == null) {
                throw new ConfigException(key + "='" + s + "' is not allowed; expected " + allowed);
            }
            return v;
        });
    }

    /** An enum constant by its lower-case name with '-' for '_', listed in {@code names}' order. */
    static <E extends Enum<E>> Setting.Type<E> choice(Class<E> type, String... names) {
        return choice(List.of(names), n -> Enum.valueOf(type, n.toUpperCase(Locale.ROOT).replace('-', '_')));
    }

    static Setting.Type<Integer> intIn(int min, int max) {
        Setting.Type<Long> wide = longIn(min, max);
        return of(wide.allowed(), (key, s) -> wide.parse(key, s).intValue());
    }

    /** {@code word} (any case) for {@code wordValue}, or a whole number in [min, max]. */
    static Setting.Type<Integer> intInOr(String word, int wordValue, int min, int max) {
        Setting.Type<Long> wide = longIn(min, max);
        String allowed = word + " or " + wide.allowed();
        return of(allowed, (key, s) -> {
            if (s.equalsIgnoreCase(word)) {
                return wordValue;
            }
            try {
                return wide.parse(key, s).intValue();
            } catch (ConfigException e) {
                throw new ConfigException(e.getMessage().replace("expected " + wide.allowed(), "expected " + allowed));
            }
        });
    }

    static Setting.Type<Long> longIn(long min, long max) {
        String allowed = max == Long.MAX_VALUE ? min + " or more" : min + ".." + max;
        return of(allowed, (key, s) -> {
            long v;
            try {
                v = Long.parseLong(s);
            } catch (NumberFormatException e) {
                throw new ConfigException(key + "='" + s + "' is not a whole number; expected " + allowed);
            }
            if (v < min || v > max) {
                throw new ConfigException(key + "=" + v + " is out of range; expected " + allowed);
            }
            return v;
        });
    }

    /** A number in [min, max]. */
    static Setting.Type<Double> doubleIn(double min, double max) {
        return number(min + ".." + max, v -> v >= min && v <= max);
    }

    /** A number in (minExclusive, max]: said as an interval, since "min..max" would offer minExclusive itself. */
    static Setting.Type<Double> doubleAbove(double minExclusive, double max) {
        return number("a number in (" + minExclusive + ", " + max + "]", v -> v > minExclusive && v <= max);
    }

    static Setting.Type<Float> floatAbove(float minExclusive, float max) {
        Setting.Type<Double> wide = doubleAbove(minExclusive, max);
        return of(wide.allowed(), (key, s) -> wide.parse(key, s).floatValue());
    }

    static Setting.Type<Float> floatIn(float min, float max) {
        Setting.Type<Double> wide = doubleIn(min, max);
        return of(wide.allowed(), (key, s) -> wide.parse(key, s).floatValue());
    }

    /** {@code word} (any case) for {@code wordValue}, or a number in [min, max]. */
    static Setting.Type<Float> floatInOr(String word, float wordValue, float min, float max) {
        String allowed = word + " or a number in [" + (double) min + ", " + (double) max + "]";
        Setting.Type<Double> number = number(allowed, v -> v >= min && v <= max);
        return of(allowed, (key, s) -> s.equalsIgnoreCase(word) ? wordValue : number.parse(key, s).floatValue());
    }

    /**
     * A value parsed by {@code parser}, whose {@link IllegalArgumentException} becomes the message (with the key
     * put in front unless the parser already names it).
     */
    static <T> Setting.Type<T> parsed(String allowed, Function<String, T> parser) {
        return of(allowed, (key, s) -> {
            try {
                return parser.apply(s);
            } catch (IllegalArgumentException e) {
                throw new ConfigException(e.getMessage() != null && e.getMessage().contains(key) ? e.getMessage()
                        : key + "='" + s + "' is invalid: " + e.getMessage() + "; expected " + allowed);
            }
        });
    }

    private static Setting.Type<Double> number(String allowed, DoublePredicate inRange) {
        return of(allowed, (key, s) -> {
            double v;
            try {
                v = Double.parseDouble(s);
            } catch (NumberFormatException e) {
                throw new ConfigException(key + "='" + s + "' is not a number; expected " + allowed);
            }
            if (!inRange.test(v)) {
                throw new ConfigException(key + "=" + s + " is out of range; expected " + allowed);
            }
            return v;
        });
    }

    private interface Parser<T> {
        T parse(String key, String text);
    }

    private static <T> Setting.Type<T> of(String allowed, Parser<T> parser) {
        return new Setting.Type<>() {
            @Override
            public T parse(String key, String text) {
                return parser.parse(key, text);
            }

            @Override
            public String allowed() {
                return allowed;
            }
        };
    }
}
