package io.hardneg.bench;

import io.hardneg.bench.BenchApps.Running;
import io.hardneg.bench.BenchApps.Starter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * The timer the streaming stages share: starts an application on the preloaded backlog, warms it up, then times
 * {@value #ROUNDS} rounds sized to end before the backlog does.
 */
final class StreamingStage {

    static final int ROUNDS = 5;

    /**
     * A streaming stage's median rate over its rounds and the process's CPU per image over them all, the cores each
     * thread used, where the stream threads waited on Kafka ({@link StreamTime#shares}), the broker's requests
     * per image over them and, when the processor was timed, its CPU per image by part ({@link CpuByStage});
     * {@code coresBusy} is the process's CPU time over the rounds' wall time (every thread), {@code streamThreads}
     * the application's stream threads over all its {@code instances}, {@code shareByInstance} each instance's share
     * of the records processed over the rounds (empty without a full round), {@code imagesOverRounds} the images the
     * CPU figures are over (0 without a full round).
     */
    record Result(double imagesPerSecond, double cpuUsPerImage, Map<String, Double> coresByThread,
                  Map<String, Double> streamTime, Map<String, Double> requestsPerImage,
                  Map<String, Double> cpuByStage, double coresBusy, int streamThreads, int instances,
                  List<Double> shareByInstance, long imagesOverRounds) {
    }

    /** Where the warm-up left off: images through, seconds since start, the rate of its last second. */
    private record WarmUp(long count, double elapsed, double rate, boolean jitQuiet) {
    }

    private final CommittedCounter counter;
    private final int images;
    private final BenchLog log;

    /** {@code images}: the backlog each stage consumes, counted by {@code counter} as its outputs commit. */
    StreamingStage(CommittedCounter counter, int images, BenchLog log) {
        this.counter = counter;
        this.images = images;
        this.log = log;
    }

    /**
     * Starts an application on the preloaded backlog; after a warm-up measures {@value #ROUNDS} rounds and returns
     * their median rate, the CPU per image over them all and the cores each thread used over them.
     */
    Result measure(String name, double capSeconds, Starter starter) throws Exception {
        return measure(name, capSeconds, starter, null);
    }

    /** As above, with the CPU by part that {@code parts} (null for none) charged over the rounds. */
    Result measure(String name, double capSeconds, Starter starter, ThreadCpuStageTimer parts) throws Exception {
        Thread.sleep(300); // let the previous stage's last commit arrive before taking the baseline
        long base = counter.count();
        try (Running app = starter.start()) {
            WarmUp w = warmUp(base, capSeconds);
            return rounds(name, app, base, w, capSeconds, parts);
        }
    }

    /**
     * Until the first committed output, then at least 2 s of output (caches, the batch buffer's steady state) and a
     * fifth of the backlog, and until the JIT is quiet (or 40% of the backlog is gone); at most half the stage's time.
     */
    private WarmUp warmUp(long base, double capSeconds) throws InterruptedException {
        int n = images;
        long t0 = System.nanoTime();
        long c = 0;
        double elapsed = 0;
        double first = -1;
        // Counts at each poll of the last second, to take the warm rate from steady output, not from start-up.
        ArrayDeque<double[]> recent = new ArrayDeque<>();
        JitWatch jit = new JitWatch(2.0);
        while (c < n) {
            Thread.sleep(20);
            c = counter.count() - base;
            elapsed = (System.nanoTime() - t0) / 1e9;
            jit.sample(elapsed);
            recent.addLast(new double[] {elapsed, c});
            while (recent.peekFirst()[0] < elapsed - 1.0) {
                recent.removeFirst();
            }
            if (c == 0) {
                if (elapsed > 120) {
                    break;
                }
                continue;
            }
            if (first < 0) {
                first = elapsed;
            }
            // A fast stage (passthrough: 30–40k images/s) would spend most of the backlog on 2 s of warm-up
            // and have no full rounds left, so 30% of the backlog also counts as warm, and a busy JIT is
            // waited for only up to 40%.
            boolean longEnough = elapsed - first >= Math.min(2, capSeconds / 4) || c >= 3L * n / 10;
            if ((longEnough && c >= n / 5 && (jit.quiet() || c >= 2L * n / 5)) || elapsed >= capSeconds / 2) {
                break;
            }
        }
        double[] oldest = recent.peekFirst();
        double rate = elapsed - oldest[0] > 0.2 ? Math.max(1, (c - oldest[1]) / (elapsed - oldest[0]))
                : Math.max(1, c / elapsed);
        return new WarmUp(c, elapsed, rate, jit.quiet());
    }

    // Long, but one measurement: the readings before and after the rounds must bracket the same window.
    private Result rounds(String name, Running app, long base, WarmUp w, double capSeconds, ThreadCpuStageTimer parts)
            throws Exception {
        int n = images;
        long c = w.count();
        double left = capSeconds - w.elapsed();
        // Rounds share what is left of the backlog (and of the stage's time); never under a quarter second,
        // where the 20 ms polls would be a tenth of a round.
        double roundSec = Math.max(0.25, Math.min(0.8 * (n - c) / w.rate() / ROUNDS, left / ROUNDS));
        // A slow stage (the heavy model's) reaches its time cap before C2 has compiled Kafka's
        // per-record paths; its figures then include the compilers, so say how to give it longer.
        boolean capped = !w.jitQuiet() && w.elapsed() >= capSeconds / 2;
        log.line("%s: warm-up %.1f s, %,d images, JIT %s; %d rounds of %.1f s", name, w.elapsed(), c,
                w.jitQuiet() ? "quiet" : capped ? "still compiling at the warm-up's time cap (--time-scale 2 "
                        + "and a larger --images give it longer)" : "still compiling", ROUNDS, roundSec);
        List<Double> rates = new ArrayList<>();
        double lastPartial = Double.NaN;
        ThreadCpu.Snapshot threads0 = ThreadCpu.snapshot();
        StreamTime.Totals waits0 = app.streamTime();
        long[] processed0 = app.processed();
        Map<String, Long> requests0 = BrokerRequests.counts();
        long images0 = counter.count();
        long[] parts0 = parts == null ? null : parts.totals();
        long process0 = CpuClock.processNanos();
        long roundsStart = System.nanoTime();
        for (int i = 0; i < ROUNDS && c < n; i++) {
            long r0 = System.nanoTime();
            long cpu0 = CpuClock.processNanos();
            long c0 = counter.count() - base;
            long r1;
            do {
                Thread.sleep(20);
                c = counter.count() - base;
                r1 = System.nanoTime();
            } while ((r1 - r0) / 1e9 < roundSec && c < n);
            double rate = (c - c0) / ((r1 - r0) / 1e9);
            double cpu = CpuClock.usPerItem(cpu0, CpuClock.processNanos(), c - c0);
            if (c < n) {
                rates.add(rate);
                log.line("%s round %d: %,9.0f images/s, %6.1f µs CPU/image (%,d/%,d)", name, i + 1, rate, cpu, c, n);
            } else {
                lastPartial = rate;
            }
        }
        double median = rates.isEmpty() ? (Double.isNaN(lastPartial) ? w.rate() : lastPartial) : Stats.median(rates);
        // Without a full round the window is a few milliseconds: 10 ms ticks over it would read as cores.
        double window = (System.nanoTime() - roundsStart) / 1e9;
        long process1 = CpuClock.processNanos();
        long imagesOverRounds = counter.count() - images0;
        ThreadCpu.Snapshot threads1 = ThreadCpu.snapshot();
        // CPU per image over all the rounds together, not their median: outputs commit in lumps (one transaction
        // per commit interval), so a round's count swings by a commit's worth while its CPU does not, and the
        // median of the rounds' quotients strayed up to 12% from the split by stage below, which covers the same
        // window and images.
        double cpuPerImage = rates.isEmpty() ? Double.NaN : CpuClock.usPerItem(process0, process1, imagesOverRounds);
        Map<String, Double> byStage = rates.isEmpty() || parts == null ? Map.of()
                : byStage(parts, parts0, threads0, threads1, window, process0, process1, imagesOverRounds);
        Map<String, Double> byThread = rates.isEmpty() ? Map.of() : ThreadCpu.coresByName(threads0, threads1, window,
                ThreadCpu.USER_HZ, 6);
        StreamTime.Totals waits1 = app.streamTime();
        List<Double> shares = rates.isEmpty() ? List.of() : shares(processed0, app.processed());
        Map<String, Double> waits = rates.isEmpty() ? Map.of() : StreamTime.shares(waits0, waits1, window);
        // process0 was read just before the rounds began: the window's wall time is a few µs short of its CPU's
        double coresBusy = rates.isEmpty() ? Double.NaN : CpuClock.cores(process0, process1, window);
        Map<String, Double> requests = rates.isEmpty() ? Map.of()
                : BrokerRequests.perImage(requests0, BrokerRequests.counts(), counter.count() - images0, 6);
        log.line("%s: cores by thread %s", name, byThread);
        log.line("%s: stream threads' time blocked on Kafka %s; broker requests per image %s", name, waits, requests);
        log.line("%s: median %,.0f images/s over %d rounds, %.1f µs CPU/image over them all; %.2f cores busy, %d "
                + "stream thread(s)", name, median, rates.size(), cpuPerImage, coresBusy, waits1.threads());
        if (parts != null) {
            log.line("%s: CPU µs per image by stage %s", name, byStage);
        }
        if (app.instances().size() > 1) {
            log.line("%s: each instance's share of the records processed over the rounds %s", name, shares);
        }
        return new Result(median, cpuPerImage, byThread, waits, requests, byStage, coresBusy, waits1.threads(),
                app.instances().size(), shares, rates.isEmpty() ? 0 : imagesOverRounds);
    }

    /** Each instance's share of the records processed between two readings; empty when none were. */
    static List<Double> shares(long[] before, long[] after) {
        long total = 0;
        for (int i = 0; i < after.length; i++) {
            total += after[i] - before[i];
        }
        List<Double> out = new ArrayList<>();
        for (int i = 0; total > 0 && i < after.length; i++) {
            out.add((after[i] - before[i]) / (double) total);
        }
        return out;
    }

    private static Map<String, Double> byStage(ThreadCpuStageTimer parts, long[] parts0, ThreadCpu.Snapshot threads0,
                                               ThreadCpu.Snapshot threads1, double window, long process0,
                                               long process1, long images) {
        long[] delta = parts.totals();
        for (int i = 0; i < delta.length; i++) {
            delta[i] -= parts0[i];
        }
        return CpuByStage.perImage(delta, CpuByStage.Helpers.between(threads0, threads1, window),
                process0 < 0 || process1 < 0 ? -1 : process1 - process0, images);
    }

    /**
     * Runs fresh applications over the backlog, pass after pass, until the JIT is quiet or {@code seconds} have
     * passed. A small backlog (the heavy model's) goes through one passthrough in half a second, too short for C2
     * to compile Kafka's paths; the slow stages after it then measured the compilers.
     */
    void warmUntilQuiet(double seconds, Callable<Starter> fresh) throws Exception {
        long t0 = System.nanoTime();
        JitWatch jit = new JitWatch(2.0);
        jit.sample(0);
        int passes = 0;
        double elapsed = 0;
        do {
            warm(seconds - elapsed, fresh.call());
            passes++;
            elapsed = (System.nanoTime() - t0) / 1e9;
            jit.sample(elapsed);
        } while (elapsed < seconds && !jit.quiet());
        log.line("warm-up: %d pass%s in %.1f s, JIT %s", passes, passes == 1 ? "" : "es", elapsed,
                jit.quiet() ? "quiet" : "still compiling");
    }

    /** Runs an application over the backlog for up to {@code seconds} (or until it is through), measuring nothing. */
    private void warm(double seconds, Starter starter) throws Exception {
        long base = counter.count();
        try (Running app = starter.start()) {
            long deadline = System.nanoTime() + (long) (seconds * 1e9);
            while (System.nanoTime() < deadline && counter.count() - base < images) {
                Thread.sleep(50);
            }
        }
    }
}
