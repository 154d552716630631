package io.hardneg.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code demo --keep-running} stopped with Ctrl-C (SIGTERM) closes its service and broker and leaves no temp dirs. */
class DemoShutdownIT {

    @Test
    @Timeout(240)
    void shouldCloseEverythingAndDeleteItsTempDirsOnCtrlC(@TempDir Path tmp) throws Exception {
        // Given the demo in a child JVM whose temp directory is ours to inspect, serving after its summary
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx1g", "-Djava.io.tmpdir=" + tmp, "-cp", System.getProperty("java.class.path"),
                "io.hardneg.cli.Main", "demo", "--images", "200", "--keep-running"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        StringBuffer output = new StringBuffer();
        CountDownLatch serving = new CountDownLatch(1);
        Thread pump = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    output.append(line).append('\n');
                    if (line.startsWith("serving the live page until Ctrl-C")) {
                        serving.countDown();
                    }
                }
            } catch (java.io.IOException e) {
                // the child is gone
            }
        });
        pump.setDaemon(true);
        pump.start();
        try {
            assertThat(serving.await(180, TimeUnit.SECONDS)).as("demo output:\n%s", output).isTrue();
            assertThat(dirs(tmp)).as("while running").anyMatch(n -> n.startsWith("hardneg-kafka-"))
                    .anyMatch(n -> n.startsWith("hardneg-streams-"));

            // When it gets SIGTERM (Ctrl-C sends SIGINT: both run the shutdown hooks). Not Process.destroy(), which
            // also closes our end of the child's output, so its last lines would be lost
            new ProcessBuilder("kill", "-TERM", Long.toString(p.pid())).inheritIO().start().waitFor();

            // Then it exits on its own, having closed the service and the broker, and its temp dirs are gone
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("exited; output:\n%s", output).isTrue();
            Files.writeString(Path.of("target/demo-shutdown.log"), output + "\nexit " + p.exitValue());
            pump.join(5000);
            assertThat(output.toString()).contains("stopping: closing the service and the in-process broker");
            assertThat(dirs(tmp)).as("left in the temp dir; output:\n%s", output)
                    .noneMatch(n -> n.startsWith("hardneg-"));
        } finally {
            p.destroyForcibly();
        }
    }

    private static List<String> dirs(Path dir) throws java.io.IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(x -> x.getFileName().toString()).toList();
        }
    }
}
