package io.hardneg.bench;

import java.util.Locale;
import java.util.Map;

/** The bench result as a Markdown table (measure | value), as in docs/performance.md. */
public final class BenchTable {

    private BenchTable() {
    }

    public static String markdown(Map<String, Object> r) {
        StringBuilder b = new StringBuilder();
        b.append("| measure | value |\n|---|---:|\n");
        r.forEach((k, v) -> b.append("| ").append(k).append(" | ").append(format(v)).append(" |\n"));
        return b.toString();
    }

    private static String format(Object v) {
        if (v instanceof Double d) {
            return Math.abs(d) >= 100 ? String.format(Locale.ROOT, "%,.0f", d) : String.format(Locale.ROOT, "%.3g", d);
        }
        if (v instanceof Map<?, ?> m) {
            StringBuilder s = new StringBuilder();
            m.forEach((k, x) -> s.append(s.length() == 0 ? "" : ", ").append(k).append(": ").append(format(x)));
            return s.toString();
        }
        return String.valueOf(v);
    }
}
