package io.hardneg.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;

/** Appends one line of figures per reliability test to target/reliability/figures.txt for docs/reliability.md. */
final class Figures {

    static final Path DIR = Path.of("target", "reliability");

    private Figures() {
    }

    static void record(String test, String figures) {
        String line = Instant.now() + " | " + test + " | " + figures;
        System.out.println("RELIABILITY " + line);
        try {
            Files.createDirectories(DIR);
            Files.writeString(DIR.resolve("figures.txt"), line + System.lineSeparator(), StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            System.out.println("could not write figures: " + e);
        }
    }
}
