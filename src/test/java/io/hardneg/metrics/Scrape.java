package io.hardneg.metrics;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A parsed Prometheus text-format scrape: one value per series line, looked up by name and label subset. */
public final class Scrape {

    private static final Pattern LINE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)})?\\s+(\\S+)$");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    /** One series line. */
    public record Series(String name, Map<String, String> labels, double value) {
    }

    private final java.util.List<Series> series = new java.util.ArrayList<>();

    private Scrape() {
    }

    /** Parses every non-comment line; a line that is not a sample fails the parse (the format must be valid). */
    public static Scrape parse(String text) {
        Scrape s = new Scrape();
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            Matcher m = LINE.matcher(line.trim());
            if (!m.matches()) {
                throw new IllegalArgumentException("not a Prometheus sample line: " + line);
            }
            Map<String, String> labels = new LinkedHashMap<>();
            if (m.group(3) != null) {
                Matcher l = LABEL.matcher(m.group(3));
                while (l.find()) {
                    labels.put(l.group(1), l.group(2));
                }
            }
            s.series.add(new Series(m.group(1), labels, Double.parseDouble(m.group(4))));
        }
        return s;
    }

    /** The value of the only series named {@code name} whose labels include {@code labels} (k, v, k, v …). */
    public double value(String name, String... labels) {
        Series found = null;
        for (Series s : series) {
            if (s.name().equals(name) && matches(s, labels)) {
                if (found != null) {
                    throw new AssertionError("more than one series " + name + " with " + String.join(",", labels));
                }
                found = s;
            }
        }
        if (found == null) {
            throw new AssertionError("no series " + name + " with " + String.join(",", labels) + "; names: " + names());
        }
        return found.value();
    }

    public boolean has(String name, String... labels) {
        return series.stream().anyMatch(s -> s.name().equals(name) && matches(s, labels));
    }

    public Set<String> names() {
        Set<String> out = new TreeSet<>();
        series.forEach(s -> out.add(s.name()));
        return out;
    }

    private static boolean matches(Series s, String[] labels) {
        for (int i = 0; i + 1 < labels.length; i += 2) {
            if (!labels[i + 1].equals(s.labels().get(labels[i]))) {
                return false;
            }
        }
        return true;
    }
}
