package io.hardneg;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The bench measures the service from outside: no package of the service names {@code io.hardneg.bench}. */
class PackageDependenciesTest {

    private static final Path MAIN = Path.of("src/main/java/io/hardneg");

    /** Imports, static imports and fully qualified names alike. */
    private static final Pattern BENCH = Pattern.compile("\\bio\\.hardneg\\.bench\\b");

    /** The bench itself, and the command line that starts it. */
    private static final Set<String> MAY_USE_BENCH = Set.of("bench", "cli");

    @Test
    void shouldKeepTheServicePackagesFreeOfTheBench() throws IOException {
        // Given every main source file outside the bench and the command line
        List<Path> service = sources().filter(p -> !MAY_USE_BENCH.contains(MAIN.relativize(p).getName(0).toString()))
                .toList();
        // When each is searched for the bench's package name
        List<Path> offenders = service.stream().filter(PackageDependenciesTest::namesBench).toList();
        // Then none names it (and the search covered the service's packages)
        assertThat(offenders).isEmpty();
        assertThat(service).hasSizeGreaterThan(50)
                .anyMatch(p -> p.endsWith("stream/EmbedMineProcessor.java"))
                .anyMatch(p -> p.endsWith("service/HardnegService.java"));
    }

    @Test
    void shouldSeeTheBenchWhereItIsNamed() throws IOException {
        // The check above would pass vacuously if the pattern never matched: the command line does start the bench.
        assertThat(namesBench(MAIN.resolve("cli/BenchCommand.java"))).isTrue();
    }

    private static Stream<Path> sources() throws IOException {
        try (Stream<Path> files = Files.walk(MAIN)) {
            return files.filter(p -> p.toString().endsWith(".java")).sorted().toList().stream();
        }
    }

    private static boolean namesBench(Path file) {
        try {
            return BENCH.matcher(Files.readString(file, StandardCharsets.UTF_8)).find();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
