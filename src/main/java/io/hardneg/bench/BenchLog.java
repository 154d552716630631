package io.hardneg.bench;

import java.io.PrintStream;
import java.util.Locale;

/** Progress lines on stderr, so that stdout keeps the table and, with --json, the JSON line last. */
final class BenchLog {

    private final PrintStream err;
    private final long start = System.nanoTime();

    BenchLog(PrintStream err) {
        this.err = err;
    }

    void line(String format, Object... args) {
        err.printf(Locale.ROOT, "[%5.1fs] bench: %s%n", (System.nanoTime() - start) / 1e9,
                String.format(Locale.ROOT, format, args));
        err.flush();
    }
}
