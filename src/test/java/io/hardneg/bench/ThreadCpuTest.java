package io.hardneg.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ThreadCpuTest {

    @Test
    void shouldReadTicksAfterANameWithSpacesAndParentheses() {
        Map<String, Long> ticks = new HashMap<>();
        Map<String, String> names = new HashMap<>();
        // fields: pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime ...
        String stat = "4242 (C2 (Compiler) 1) S 1 1 1 0 -1 4194368 10 0 0 0 700 55 0 0 20 0 1 0";

        ThreadCpu.parse("4242", stat, ticks, names);

        assertThat(ticks).containsEntry("4242", 755L);
        assertThat(names).containsEntry("4242", "C2 (Compiler) 1");
    }

    @Test
    void shouldFoldNumberedThreadsAndRankByCoresUsed() {
        ThreadCpu.Snapshot a = new ThreadCpu.Snapshot(
                Map.of("1", 100L, "2", 0L, "3", 50L),
                Map.of("1", "stream-1", "2", "C2 CompilerThread0", "3", "C2 CompilerThread1"));
        // Thread 4 was born between the snapshots: all its time counts.
        ThreadCpu.Snapshot b = new ThreadCpu.Snapshot(
                Map.of("1", 250L, "2", 60L, "3", 110L, "4", 30L),
                Map.of("1", "stream-1", "2", "C2 CompilerThread0", "3", "C2 CompilerThread1", "4", "ort"));

        Map<String, Double> cores = ThreadCpu.coresByName(a, b, 2.0, 100, 2);

        assertThat(List.copyOf(cores.keySet())).containsExactly("stream-N", "CN CompilerThreadN");
        assertThat(cores.get("stream-N")).isEqualTo(0.75);
        assertThat(cores.get("CN CompilerThreadN")).isEqualTo(0.6);
    }

    @Test
    void shouldLoseTheTimeOfAThreadThatEndedBeforeTheSecondSnapshot() {
        // Thread 9 ran between the snapshots but had ended (and left /proc) by the second: what it spent is lost,
        // which is why the bench takes its snapshots while the stage's threads still run. (Checked on snapshots
        // built here: with a real thread, when its /proc entry goes after join() is the kernel's timing.)
        ThreadCpu.Snapshot a = new ThreadCpu.Snapshot(Map.of("1", 100L, "9", 10L),
                Map.of("1", "stream-1", "9", "busy-probe-7"));
        ThreadCpu.Snapshot b = new ThreadCpu.Snapshot(Map.of("1", 150L), Map.of("1", "stream-1"));

        Map<String, Double> cores = ThreadCpu.coresByName(a, b, 1.0, 100, 10);

        assertThat(cores).containsOnlyKeys("stream-N");
        assertThat(cores.get("stream-N")).isEqualTo(0.5);
        assertThat(ThreadCpu.cores(a, b, 1.0, 100, n -> n.startsWith("busy"))).isZero();
    }

    @Test
    void shouldSeeALiveBusyThreadSpendCpu() throws Exception {
        if (!Files.isDirectory(Path.of("/proc/self/task"))) {
            return;
        }
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        double[] sink = {0};
        Thread busy = new Thread(() -> {
            double x = 0;
            while (!stop.get()) {
                x += Math.sqrt(x + 1);
            }
            sink[0] = x;
        }, "busy-probe-8");
        busy.start();
        try {
            Thread.sleep(50);
            ThreadCpu.Snapshot a = ThreadCpu.snapshot();
            long t0 = System.nanoTime();
            Thread.sleep(400);
            ThreadCpu.Snapshot b = ThreadCpu.snapshot();
            Map<String, Double> cores = ThreadCpu.coresByName(a, b, (System.nanoTime() - t0) / 1e9,
                    ThreadCpu.USER_HZ, 50);

            // Near one core on an idle machine; a shared machine may give it less, but never nothing.
            assertThat(cores).containsKey("busy-probe-N");
            assertThat(cores.get("busy-probe-N")).isBetween(0.2, 1.1);
        } finally {
            stop.set(true);
            busy.join();
        }
        assertThat(sink[0]).isPositive();
    }

    @Test
    void shouldSumTheCoresOfTheThreadsANamePicks() {
        ThreadCpu.Snapshot a = new ThreadCpu.Snapshot(Map.of("1", 100L, "2", 10L, "3", 0L),
                Map.of("1", "stream-1", "2", "G1 Conc#0", "3", "GC Thread#0"));
        ThreadCpu.Snapshot b = new ThreadCpu.Snapshot(Map.of("1", 300L, "2", 50L, "3", 20L, "4", 40L),
                Map.of("1", "stream-1", "2", "G1 Conc#0", "3", "GC Thread#0", "4", "G1 Main Marker"));

        // G1's three threads used 40 + 20 + 40 ticks of 100 per second over 2 s; the stream thread is not GC.
        assertThat(ThreadCpu.cores(a, b, 2.0, 100, ThreadCpu::isGcThread)).isEqualTo(0.5);
        assertThat(ThreadCpu.isGcThread("G1 Refine#0")).isTrue();
        assertThat(ThreadCpu.isGcThread("C2 CompilerThread0")).isFalse();
        assertThat(ThreadCpu.cores(a, b, 0, 100, n -> true)).isNaN();
    }
}
