package io.hardneg.bench;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Medians and percentiles of bench samples, and the roundings the JSON reports them with. */
final class Stats {

    private Stats() {
    }

    /**
     * The median of the values that were measured: NaN marks a round or repeat without a figure (no image committed
     * in it), and sorted in among the rest it would shift the middle; NaN when none was measured.
     */
    static double median(double[] v) {
        double[] s = Arrays.stream(v).filter(x -> !Double.isNaN(x)).toArray();
        if (s.length == 0) {
            return Double.NaN;
        }
        Arrays.sort(s);
        int m = s.length / 2;
        return s.length % 2 == 1 ? s[m] : (s[m - 1] + s[m]) / 2;
    }

    /** The nearest-rank percentile of sorted values. */
    static double percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    static double median(List<Double> values) {
        return median(values.stream().mapToDouble(Double::doubleValue).toArray());
    }

    /** One decimal: rates and microseconds. */
    static double round(double v) {
        return Double.isNaN(v) ? v : Math.round(v * 10) / 10.0;
    }

    /** Three decimals: ratios and shares. */
    static double round3(double v) {
        return Double.isNaN(v) ? v : Math.round(v * 1000) / 1000.0;
    }

    /** {@code a / b} to three decimals; NaN when either side is missing. */
    static double ratio(double a, double b) {
        return b > 0 && !Double.isNaN(a) ? Math.round(a / b * 1000) / 1000.0 : Double.NaN;
    }

    static Map<String, Double> round3(Map<String, Double> shares) {
        Map<String, Double> m = new LinkedHashMap<>();
        shares.forEach((k, v) -> m.put(k, round3(v)));
        return m;
    }
}
