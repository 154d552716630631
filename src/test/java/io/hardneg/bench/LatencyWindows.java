package io.hardneg.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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
        List<String> rows = lines.subList(Math.min(1, lines.size()), lines.size()).stream()
                .filter(l -> !l.isBlank()).toList();
        if (rows.isEmpty()) {
            return "no samples";
        }
        long[] sent = new long[rows.size()];
        long[] latency = new long[rows.size()];
        for (int i = 0; i < sent.length; i++) {
            String[] cols = rows.get(i).split(",");
            sent[i] = Long.parseLong(cols[0].trim());
            latency[i] = Long.parseLong(cols[1].trim());
        }
        // Windows counted from the first send, so the first 8 s are whole.
        long t0 = LongStream.of(sent).min().orElseThrow();
        long span = LongStream.of(sent).max().orElseThrow() - t0;
        CommittedCounter.Samples samples = new CommittedCounter.Samples(LongStream.of(sent).map(t -> t - t0)
                .toArray(), latency);
        long[] all = samples.sorted();
        // The last 8 s are usually a sliver: only windows with at least half their share of the samples compare.
        long fullShare = all.length * SUB_WINDOW_MS / Math.max(1, span);
        List<Long> subP99 = samples.windows(SUB_WINDOW_MS).stream().filter(w -> w.length * 2L >= fullShare)
                .map(w -> (long) Stats.percentile(w, 99)).toList();
        long stalls = samples.windows(STALL_WINDOW_MS).stream()
                .filter(w -> Stats.percentile(w, 50) > STALL_MEDIAN_MS).count();
        long over = LongStream.of(latency).filter(l -> l > TARGET_MS).count();
        return String.format("%d samples over %.1f s, p99 %d ms; p99 of each 8 s %s; %d quarter-seconds with a "
                        + "median above %d ms; %.2f%% of samples above %d ms",
                all.length, span / 1000.0, (long) Stats.percentile(all, 99), subP99, stalls, STALL_MEDIAN_MS,
                100.0 * over / all.length, TARGET_MS);
    }
}
