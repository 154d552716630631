package io.hardneg.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Plain {@code java} without {@code --add-modules}, as every README command runs: the command runs in a relaunched
 * child with the Vector API kernel, its output and exit code come back unchanged, and stopping the launcher stops it.
 */
@Timeout(120)
class RelaunchIT {

    private static final Path JAVA = Path.of(System.getProperty("java.home"), "bin", "java");

    /** What one run left behind. */
    record Run(int exitCode, String out, String err) {
    }

    /** {@code java [jvmArgs] -cp <the tests' class path> io.hardneg.cli.Main args}, no --add-modules. */
    private static List<String> plainJava(List<String> jvmArgs, String... args) {
        List<String> cmd = new ArrayList<>(List.of(JAVA.toString(), "-Xmx256m"));
        cmd.addAll(jvmArgs);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.hardneg.cli.Main"));
        cmd.addAll(List.of(args));
        return cmd;
    }

    private static Run run(List<String> cmd, Map<String, String> env, Path dir) throws Exception {
        Path out = dir.resolve("out.txt");
        Path err = dir.resolve("err.txt");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().remove("HARDNEG_RELAUNCH");
        pb.environment().putAll(env);
        Process p = pb.start();
        assertThat(p.waitFor(90, TimeUnit.SECONDS)).as("exited").isTrue();
        return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }

    @Test
    void shouldRunPlainJavaWithTheVectorKernelAndWithoutTheIncubatorNotice(@TempDir Path dir) throws Exception {
        Run r = run(plainJava(List.of(), "--version"), Map.of(), dir);

        assertThat(r.exitCode()).as("stderr: %s", r.err()).isZero();
        assertThat(r.out()).contains("mining kernel: vector-");
        assertThat(r.err()).doesNotContain("Using incubator modules");
    }

    @Test
    void shouldRunTheBuiltJarWithTheVectorKernel(@TempDir Path dir) throws Exception {
        Path jar = Path.of("target", "hardneg.jar");
        assumeTrue(Files.isRegularFile(jar), "target/hardneg.jar is built by `mvn package`");

        Run r = run(List.of(JAVA.toString(), "-jar", jar.toString(), "--version"), Map.of(), dir);

        assertThat(r.exitCode()).as("stderr: %s", r.err()).isZero();
        assertThat(r.out()).contains("mining kernel: vector-");
    }

    @Test
    void shouldPassAUsageErrorsExitCodeAndOneLineThroughTheRelaunch(@TempDir Path dir) throws Exception {
        Run r = run(plainJava(List.of(), "nope"), Map.of(), dir);

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err().strip().split("\\R")).as("stderr: %s", r.err()).hasSize(1);
        assertThat(r.err()).startsWith("hardneg: error: ").contains("'nope'");
    }

    @Test
    void shouldStayInTheUsersJvmWhenTheSwitchIsOff(@TempDir Path dir) throws Exception {
        Run r = run(plainJava(List.of(), "--version"), Map.of("HARDNEG_RELAUNCH", "0"), dir);

        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).contains("mining kernel: scalar");
    }

    @Test
    void shouldStopTheChildWhenTheLauncherGetsSigterm(@TempDir Path dir) throws Exception {
        // Given a relaunched command that would wait 60 s for a broker nobody runs
        Process launcher = new ProcessBuilder(plainJava(List.of(), "topics", "apply", "--bootstrap-servers",
                "127.0.0.1:1", "--timeout", "60")).redirectErrorStream(true)
                .redirectOutput(dir.resolve("log.txt").toFile()).start();
        ProcessHandle child = awaitChild(launcher);

        // When the launcher alone gets SIGTERM (docker stop, systemd, kill)
        new ProcessBuilder("kill", "-TERM", Long.toString(launcher.pid())).inheritIO().start().waitFor();

        // Then both are gone well before the command's own 60 s
        assertThat(launcher.waitFor(30, TimeUnit.SECONDS)).as("launcher exited").isTrue();
        assertThat(child.isAlive()).as("child alive after the launcher exited").isFalse();
        assertThat(launcher.exitValue()).isEqualTo(143);
    }

    @Test
    void shouldStopTheChildWhenTheLauncherIsKilled(@TempDir Path dir) throws Exception {
        // Given a relaunched command that would wait 60 s for a broker nobody runs
        Process launcher = new ProcessBuilder(plainJava(List.of(), "topics", "apply", "--bootstrap-servers",
                "127.0.0.1:1", "--timeout", "60")).redirectErrorStream(true)
                .redirectOutput(dir.resolve("log.txt").toFile()).start();
        ProcessHandle child = awaitChild(launcher);

        // When the launcher is SIGKILLed: no hook runs there
        launcher.destroyForcibly();
        launcher.waitFor(10, TimeUnit.SECONDS);

        // Then the orphan notices within the JDK's polling interval (5 s at most) and exits
        assertThat(child.onExit().get(30, TimeUnit.SECONDS).isAlive()).isFalse();
    }

    /** The relaunched child, once the launcher has started it. */
    private static ProcessHandle awaitChild(Process launcher) throws InterruptedException, IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            Optional<ProcessHandle> child = launcher.children().findFirst();
            if (child.isPresent()) {
                Thread.sleep(2000); // let it get past JVM start-up, so it has its own signal handlers
                return child.get();
            }
            assertThat(launcher.isAlive()).as("launcher alive").isTrue();
            Thread.sleep(100);
        }
        throw new AssertionError("no child after 60 s");
    }
}
