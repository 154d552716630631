package io.hardneg.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.hardneg.data.LabeledImages;
import io.hardneg.service.OutputTally;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code serve --data-dir DIR} restarted on the same DIR, with images in flight: once after SIGTERM, once after
 * kill -9 of the whole process (its in-process broker dies with it). Every image must come out embedded exactly
 * once, read_committed, from the broker the third process reopened (issue #19, section 0).
 *
 * <p>{@code hardneg.it.restart.images} sets the size (default 1,500, so CI on 2 cores stays near a minute).
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class ServeRestartIT {

    private static final int IMAGES = Integer.getInteger("hardneg.it.restart.images", 1_500);
    private static final Duration RUNNING_TIMEOUT = Duration.ofMinutes(2);
    private static final Duration OUTPUT_TIMEOUT = Duration.ofMinutes(2);

    @TempDir
    Path dataDir;

    @Test
    void shouldEmbedEveryImageExactlyOnceAcrossASigtermAndAKillOfServeOnTheSameDataDir() throws Exception {
        int n = IMAGES;
        int expected = n + StreamingScenario.BAD.size();
        LabeledImages sample = StreamingScenario.sample(n);
        int port = freePort();
        String bootstrap = "127.0.0.1:" + port;
        List<String> faults = new ArrayList<>();
        long t0 = System.nanoTime();

        // Given serve on a fresh data dir, busy with the first half of the images
        ServiceProcess service = start(port, 0);
        try {
            StreamingScenario.send(bootstrap, sample, 0, n / 2, false);
            long seen = awaitOutputs(bootstrap, n / 10, service);
            // When it is stopped with SIGTERM mid-stream and started again on the same dir
            long fault = System.nanoTime();
            service.stop();
            service = start(port, 1);
            faults.add(restartFigures("SIGTERM", fault, seen, n / 2, bootstrap, service));
            StreamingScenario.send(bootstrap, sample, n / 2, n, true);
            seen = awaitOutputs(bootstrap, (long) (0.6 * n), service);
            // And killed with SIGKILL (broker and service together) mid-stream and started again
            fault = System.nanoTime();
            service.kill();
            service = start(port, 2);
            faults.add(restartFigures("kill -9", fault, seen, expected, bootstrap, service));
            // Then the third process finishes the stream from what the broker kept
            awaitOutputs(bootstrap, expected, service);
            StreamingScenario.Result r = StreamingScenario.verify(bootstrap, n);
            long seconds = (System.nanoTime() - t0) / 1_000_000_000;
            Figures.record("serve restart on its data dir", r + " faults=" + faults + " duration_s=" + seconds);
            r.assertExactlyOnce();
        } finally {
            service.stop();
        }
        // And the dir it kept is still a Kafka log dir (the next start would reuse it too)
        assertThat(dataDir.resolve("kafka-logs").resolve("meta.properties")).isRegularFile();
    }

    private ServiceProcess start(int port, int generation) throws Exception {
        ServiceProcess p = ServiceProcess.startEmbedded(dataDir, port, "it-serve-restart",
                Figures.DIR.resolve("serve-restart-" + generation + ".log"), "512m", List.of());
        p.awaitRunning(RUNNING_TIMEOUT);
        return p;
    }

    /**
     * What one restart cost: the time from the fault to RUNNING again, and to the first output past what was
     * committed just before the fault (within one commit interval, since the count was read a moment before).
     */
    private static String restartFigures(String fault, long faultNanos, long seenBefore, long sent, String bootstrap,
                                         ServiceProcess restarted) throws Exception {
        long runningMs = (System.nanoTime() - faultNanos) / 1_000_000;
        long next = Math.min(seenBefore + 1, sent);
        awaitOutputs(bootstrap, next, restarted);
        long outputMs = (System.nanoTime() - faultNanos) / 1_000_000;
        String f = fault + ": in_flight~" + (sent - seenBefore) + " running_after_ms=" + runningMs
                + " next_output_after_ms=" + outputMs;
        System.out.println(f);
        return f;
    }

    /** Waits for {@code count} committed outputs (embeddings + dead letters) and returns how many it saw. */
    private static long awaitOutputs(String bootstrap, long count, ServiceProcess child) throws Exception {
        long deadline = System.nanoTime() + OUTPUT_TIMEOUT.toNanos();
        try (OutputTally tally = new OutputTally(bootstrap)) {
            while (tally.embedded() + tally.deadLettered() < count) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("stalled at " + (tally.embedded() + tally.deadLettered()) + " of "
                            + count + "; child output:\n" + child.outputTail());
                }
                if (!child.isAlive()) {
                    throw new AssertionError("serve died on its own; output:\n" + child.outputTail());
                }
                Thread.sleep(50);
            }
            return tally.embedded() + tally.deadLettered();
        }
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return s.getLocalPort();
        }
    }
}
