package io.hardneg.it;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code hardneg serve} in a child JVM, so a test can kill it with SIGKILL ({@link Process#destroyForcibly()})
 * the way Kafka's system tests kill their services. Its output goes to a log file and is watched for "running:".
 */
final class ServiceProcess implements AutoCloseable {

    private final Process process;
    private final Path log;
    private final CountDownLatch running = new CountDownLatch(1);
    private final StringBuffer tail = new StringBuffer();

    private ServiceProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
        Thread pump = new Thread(this::pump, "child-output-" + process.pid());
        pump.setDaemon(true);
        pump.start();
    }

    /** Starts {@code serve} against {@code bootstrap}; {@code sets} are extra {@code --set k=v}. */
    static ServiceProcess start(String bootstrap, String appId, Path log, String xmx, List<String> jvmFlags,
                                List<String> sets) throws IOException {
        return launch(List.of("--bootstrap-servers", bootstrap), appId, log, xmx, jvmFlags, sets);
    }

    /**
     * Starts {@code serve} with its in-process broker on {@code port}, keeping the broker's data in
     * {@code dataDir}: killing this process kills the broker with it.
     */
    static ServiceProcess startEmbedded(Path dataDir, int port, String appId, Path log, String xmx,
                                        List<String> sets) throws IOException {
        return launch(List.of("--data-dir", dataDir.toString(), "--embedded-port", Integer.toString(port)), appId,
                log, xmx, List.of(), sets);
    }

    private static ServiceProcess launch(List<String> brokerArgs, String appId, Path log, String xmx,
                                         List<String> jvmFlags, List<String> sets) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx" + xmx);
        cmd.add("-XX:+ExitOnOutOfMemoryError");
        // The module up front, as users get it, and no relaunch: kill() must SIGKILL the service itself.
        cmd.add("--add-modules");
        cmd.add("jdk.incubator.vector");
        cmd.addAll(jvmFlags);
        // -Dhardneg.it.child.jvm-options="…" reaches every child (e.g. a logback file with the broker's
        // coordinators at INFO, to read what a failed restart's broker did)
        String extra = System.getProperty("hardneg.it.child.jvm-options", "").trim();
        if (!extra.isEmpty()) {
            cmd.addAll(List.of(extra.split("\\s+")));
        }
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add("io.hardneg.cli.Main");
        cmd.add("serve");
        cmd.addAll(brokerArgs);
        List<String> all = new ArrayList<>(List.of("application.id=" + appId, "http.port=0",
                "mining.rate-limit.per-label=0", "output.include-images=false",
                "mining.negatives-per-positive=" + StreamingScenario.NEGATIVES_PER_POSITIVE,
                // A killed member must leave the group in seconds, not the default 45 s.
                "kafka.session.timeout.ms=6000", "kafka.heartbeat.interval.ms=1500"));
        String model = System.getProperty("hardneg.it.model");
        if (model != null && !model.isBlank()) {
            all.add("model.path=" + model);
        }
        all.addAll(sets);
        for (String s : all) {
            cmd.add("--set");
            cmd.add(s);
        }
        Files.createDirectories(log.getParent());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        return new ServiceProcess(p, log);
    }

    private void pump() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
             PrintWriter w = new PrintWriter(Files.newBufferedWriter(log, StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                w.println(line);
                w.flush();
                if (line.startsWith("running:")) {
                    running.countDown();
                }
                tail.append(line).append('\n');
                if (tail.length() > 20_000) {
                    tail.delete(0, tail.length() - 10_000);
                }
            }
        } catch (IOException e) {
            // the child is gone
        }
    }

    /** Blocks until the child prints "running:" (Kafka Streams RUNNING); fails with its output otherwise. */
    void awaitRunning(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (running.await(200, TimeUnit.MILLISECONDS)) {
                return;
            }
            if (!process.isAlive()) {
                throw new AssertionError("service exited with " + process.exitValue() + " before running; log "
                        + log + ":\n" + tail);
            }
        }
        throw new AssertionError("service not running after " + timeout + "; log " + log + ":\n" + tail);
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    String outputTail() {
        return tail.toString();
    }

    /** SIGKILL: no shutdown hook, no commit, no transaction abort. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** SIGTERM: the shutdown hook closes Kafka Streams cleanly. */
    void stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
    }
}
