package io.hardneg.cli;

import java.io.PrintStream;
import java.util.Locale;

/**
 * A progress bar on stderr: redrawn in place on a terminal, one line per tenth of the work otherwise
 * (so logs of CI runs stay readable).
 */
final class Progress {

    private final PrintStream err;
    private final String label;
    private final long total;
    private final boolean terminal;
    private final long startNanos = System.nanoTime();
    private long lastDrawNanos;
    private int lastDecile = -1;

    Progress(PrintStream err, String label, long total) {
        this.err = err;
        this.label = label;
        this.total = Math.max(total, 1);
        this.terminal = System.console() != null;
    }

    void update(long done, String extra) {
        long now = System.nanoTime();
        int decile = (int) (10 * Math.min(done, total) / total);
        boolean finished = done >= total;
        if (terminal) {
            if (!finished && now - lastDrawNanos < 100_000_000L) {
                return;
            }
            lastDrawNanos = now;
            err.print("\r" + line(done, extra) + (finished ? "\n" : ""));
            err.flush();
        } else if (decile != lastDecile) {
            lastDecile = decile;
            err.println(line(done, extra));
        }
    }

    private String line(long done, String extra) {
        int width = 30;
        int filled = (int) (width * Math.min(done, total) / total);
        double secs = Math.max((System.nanoTime() - startNanos) / 1e9, 1e-9);
        return String.format(Locale.ROOT, "%s [%s%s] %3d%% %d/%d %.0f/s%s", label, "=".repeat(filled),
                " ".repeat(width - filled), 100 * Math.min(done, total) / total, done, total, done / secs,
                extra == null || extra.isEmpty() ? "" : " " + extra);
    }
}
