package io.hardneg;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Every relative link in README.md and docs/ names a file that exists; the Python README names every script. */
class DocLinksTest {

    private static final Pattern LINK = Pattern.compile("\\]\\(([^)\\s]+)\\)");

    @Test
    void relativeLinksResolve() throws IOException {
        List<Path> files = new ArrayList<>(List.of(Path.of("README.md"), Path.of("src/main/python/README.md")));
        try (Stream<Path> docs = Files.walk(Path.of("docs"))) {
            docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(files::add);
        }
        List<String> broken = new ArrayList<>();
        for (Path file : files) {
            Matcher m = LINK.matcher(Files.readString(file, StandardCharsets.UTF_8));
            while (m.find()) {
                String target = m.group(1);
                if (target.matches("^[a-z]+:.*") || target.startsWith("#")) {
                    continue;
                }
                String path = target.contains("#") ? target.substring(0, target.indexOf('#')) : target;
                if (!Files.exists(file.toAbsolutePath().getParent().resolve(path).normalize())) {
                    broken.add(file + " -> " + target);
                }
            }
        }
        assertThat(broken).as("broken relative links").isEmpty();
    }

    @Test
    void pythonReadmeDescribesEveryScript() throws IOException {
        String readme = Files.readString(Path.of("src/main/python/README.md"), StandardCharsets.UTF_8);
        List<String> missing = new ArrayList<>();
        try (Stream<Path> scripts = Files.list(Path.of("src/main/python"))) {
            scripts.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".py")).sorted()
                    .filter(n -> !readme.contains("`" + n + "`")).forEach(missing::add);
        }
        assertThat(missing).as("scripts in src/main/python not described in its README").isEmpty();
    }
}
