package io.hardneg.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.LongStream;

/**
 * Reads a {@code bench --latency-csv} file and says whether its tail comes from stalls: the p99 of each 8 s of the
 * window (the full bench's window), the quarter-seconds of send time whose median passed 150 ms, and the share of
 * samples above 200 ms.
 *
 * <pre>
 * java -cp target/hardneg.jar:target/test-classes io.hardneg.bench.LatencyWindows latency.csv [more.csv ...]
 * </pre>
 */
public final class LatencyWindows {

    private static final long SUB_WINDOW_MS = 8_000;
    private static final long STALL_WINDOW_MS = 250;
    private static final long STALL_MEDIAN_MS = 150;
    private static final long TARGET_MS = 200;

    private LatencyWindows() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length == 0) {
            System.err.println("usage: LatencyWindows FILE.csv [FILE.csv ...] (files written by bench --latency-csv)");
            System.exit(2);
        }
        for (String f : args) {
            System.out.println(f + ": " + summarise(Files.readAllLines(Path.of(f))));
        }
    }

    /** The summary line of one CSV's lines ({@code sent_ms,latency_ms} after a header). */
    static String summarise(List<String> lines) {
        List<long[]> samples = new ArrayList<>();
        for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
            if (line.isBlank()) {
                continue;
            }
            String[] cols = line.split(",");
            samples.add(new long[] {Long.parseLong(cols[0].trim()), Long.parseLong(cols[1].trim())});
        }
        if (samples.isEmpty()) {
            return "no samples";
        }
        long t0 = samples.stream().mapToLong(s -> s[0]).min().orElseThrow();
        Map<Long, List<Long>> sub = new TreeMap<>();
        Map<Long, List<Long>> quarter = new TreeMap<>();
        long over = 0;
        long[] all = new long[samples.size()];
        for (int i = 0; i < all.length; i++) {
            long[] s = samples.get(i);
            all[i] = s[1];
            sub.computeIfAbsent((s[0] - t0) / SUB_WINDOW_MS, k -> new ArrayList<>()).add(s[1]);
            quarter.computeIfAbsent((s[0] - t0) / STALL_WINDOW_MS, k -> new ArrayList<>()).add(s[1]);
            over += s[1] > TARGET_MS ? 1 : 0;
        }
        List<Long> subP99 = new ArrayList<>();
        // The last sub-window is usually a sliver: only full ones are comparable.
        sub.forEach((k, v) -> {
            if (v.size() * 2L >= all.length * SUB_WINDOW_MS / Math.max(1, span(samples, t0))) {
                subP99.add(quantile(v.stream().mapToLong(Long::longValue).toArray(), 0.99));
            }
        });
        long stalls = quarter.values().stream()
                .filter(v -> quantile(v.stream().mapToLong(Long::longValue).toArray(), 0.5) > STALL_MEDIAN_MS)
                .count();
        return String.format("%d samples over %.1f s, p99 %d ms; p99 of each 8 s %s; %d quarter-seconds with a "
                        + "median above %d ms; %.2f%% of samples above %d ms",
                all.length, span(samples, t0) / 1000.0, quantile(all, 0.99), subP99, stalls, STALL_MEDIAN_MS,
                100.0 * over / all.length, TARGET_MS);
    }

    private static long span(List<long[]> samples, long t0) {
        return samples.stream().mapToLong(s -> s[0]).max().orElseThrow() - t0;
    }

    /** The bench's own percentile (nearest rank) of {@code values}. */
    static long quantile(long[] values, double q) {
        return (long) Stats.percentile(LongStream.of(values).sorted().toArray(), q * 100);
    }
}
