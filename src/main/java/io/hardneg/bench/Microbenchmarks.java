package io.hardneg.bench;

import io.hardneg.config.HardnegConfig;
import io.hardneg.error.InvalidInputException;
import io.hardneg.image.ImageDecoder;
import io.hardneg.mining.Distances;
import io.hardneg.mining.EmbeddedImage;
import io.hardneg.mining.MemoryBank;
import io.hardneg.mining.MiningRules;
import io.hardneg.mining.MislabelDetector;
import io.hardneg.mining.Triplet;
import io.hardneg.mining.TripletMiner;
import io.hardneg.model.EmbeddingModel;
import io.hardneg.stream.MiningTopology;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** The stages measured without Kafka: ONNX Runtime's ceiling, decoding, mining. Each warms up, then takes medians. */
final class Microbenchmarks {

    private Microbenchmarks() {
    }

    /** A repeated action; returns how many items one call handled. */
    @FunctionalInterface
    interface Work {
        int run() throws Exception;
    }

    /**
     * Items/s, the median of {@code rounds} rounds of at least {@code roundNanos} each, after {@code warmupNanos}
     * of warm-up (at least one call each); a call slower than a round makes a round of one call.
     */
    static double rate(Work work, long warmupNanos, long roundNanos, int rounds) throws Exception {
        warmUp(work, warmupNanos);
        double[] r = new double[rounds];
        for (int i = 0; i < rounds; i++) {
            r[i] = round(work, roundNanos);
        }
        return Stats.median(r);
    }

    /** Calls {@code work} for {@code nanos}, at least once. */
    private static void warmUp(Work work, long nanos) throws Exception {
        long end = System.nanoTime() + nanos;
        do {
            work.run();
        } while (System.nanoTime() < end);
    }

    /** Items/s over one round of at least {@code roundNanos}. */
    private static double round(Work work, long roundNanos) throws Exception {
        long t0 = System.nanoTime();
        long items = 0;
        long t;
        do {
            items += work.run();
            t = System.nanoTime();
        } while (t - t0 < roundNanos);
        return items / ((t - t0) / 1e9);
    }

    /**
     * Two works measured side by side: after warming both up, their rounds alternate, so a slow spell of the shared
     * machine lands on both. Returns the two median rates, items/s.
     */
    static double[] rates(Work a, Work b, long warmupNanos, long roundNanos, int rounds) throws Exception {
        warmUp(a, warmupNanos);
        warmUp(b, warmupNanos);
        double[] ra = new double[rounds];
        double[] rb = new double[rounds];
        for (int i = 0; i < rounds; i++) {
            ra[i] = round(a, roundNanos);
            rb[i] = round(b, roundNanos);
        }
        return new double[] {Stats.median(ra), Stats.median(rb)};
    }

    /** A median rate, and the process's CPU per item over the same runs (warm-up included). */
    record Rate(double perSecond, double cpuUsPerItem) {
    }

    /** Raw embedding throughput per batch size, direct buffers, the model's own session options. */
    static Map<Integer, Rate> ortCeiling(EmbeddingModel model, int[] batches, double secondsPerBatch,
                                         BenchLog log) throws Exception {
        Map<Integer, Rate> out = new LinkedHashMap<>();
        Random rnd = new Random(1);
        for (int b : batches) {
            FloatBuffer in = model.allocateInput(b);
            FloatBuffer outBuf = model.allocateOutput(b);
            for (int i = 0; i < in.capacity(); i++) {
                in.put(i, (float) rnd.nextGaussian());
            }
            long t0 = System.nanoTime();
            model.embed(in, outBuf, b);
            long one = System.nanoTime() - t0;
            long budget = (long) (secondsPerBatch * 1e9);
            int rounds = 5;
            long round = Math.max(budget / (rounds + 1), 1);
            if (one * (rounds + 1) > 3 * budget) {
                rounds = 3; // a slow model: three single-call rounds rather than a long stage
            }
            long[] images = {0};
            long cpu0 = CpuClock.processNanos();
            double ips = rate(() -> {
                model.embed(in, outBuf, b);
                images[0] += b;
                return b;
            }, Math.min(round, one * 2), round, rounds);
            double cpu = CpuClock.usPerItem(cpu0, CpuClock.processNanos(), images[0]);
            out.put(b, new Rate(ips, cpu));
            log.line("ort ceiling  batch %4d: %,10.0f images/s, %6.1f µs CPU/image", b, ips, cpu);
        }
        return out;
    }

    /** Images/s on one core for the given encoded images into the model's input. */
    static double decode(ImageDecoder decoder, List<byte[]> images, double seconds) throws Exception {
        FloatBuffer dst = FloatBuffer.allocate(decoder.spec().size());
        int[] next = {0};
        long round = (long) (seconds * 1e9 / 6);
        return rate(() -> {
            for (int i = 0; i < 64; i++) {
                try {
                    decoder.decodeInto(images.get(next[0]++ % images.size()), dst, 0);
                } catch (InvalidInputException e) {
                    throw new IllegalStateException("a bundled image failed to decode: " + e.getMessage(), e);
                }
            }
            return 64;
        }, round, round, 5);
    }

    /**
     * Result of one mining measurement. With a detector: {@code withSuspectsPerSecond} is the miner's pass feeding
     * it (the stream's way), {@code thenSuspectsPerSecond} the miner and then the detector's own scan, side by side;
     * both NaN without one.
     */
    record MiningResult(double anchorsPerSecond, double tripletsPerAnchor, double firstBatchMs,
                        double withSuspectsPerSecond, double thenSuspectsPerSecond) {
    }

    /**
     * Anchors/s mining batches of {@code batch} anchors against a bank of {@code size} clustered unit vectors of
     * {@code dim} (100 labels; classes overlap, so hard and semi-hard negatives exist).
     */
    static MiningResult mining(int size, int dim, int batch, Distances distances, MislabelDetector.Rules suspects,
                               double seconds) throws Exception {
        Random rnd = new Random(3);
        int labels = 100;
        MemoryBank bank = new MemoryBank(dim, (size + labels - 1) / labels, size);
        float[][] centres = new float[labels][];
        for (int c = 0; c < labels; c++) {
            centres[c] = unit(rnd, dim, null, 0);
        }
        for (int i = 0; i < size; i++) {
            int l = i % labels;
            bank.put(l + "/" + (i / labels), new EmbeddedImage("b" + i, Integer.toString(l), "1",
                    unit(rnd, dim, centres[l], 0.9f), null, i));
        }
        List<List<EmbeddedImage>> batches = new ArrayList<>();
        for (int k = 0; k < 8; k++) {
            List<EmbeddedImage> anchors = new ArrayList<>(batch);
            for (int i = 0; i < batch; i++) {
                int l = rnd.nextInt(labels);
                anchors.add(new EmbeddedImage("a" + k + "-" + i, Integer.toString(l), "1",
                        unit(rnd, dim, centres[l], 0.9f), null, i));
            }
            batches.add(anchors);
        }
        TripletMiner miner = new TripletMiner(MiningRules.defaults(), distances);
        // The first batch on its own: in a fresh JVM it shows what the JIT has (or has not) compiled yet.
        long t0 = System.nanoTime();
        miner.mine(bank, batches.get(0));
        double firstBatchMs = (System.nanoTime() - t0) / 1e6;
        long[] triplets = {0, 0};
        int[] next = {0};
        long round = (long) (seconds * 1e9 / 6);
        double aps = rate(() -> {
            List<List<Triplet>> mined = miner.mine(bank, batches.get(next[0]++ % batches.size()));
            for (var t : mined) {
                triplets[0] += t.size();
            }
            triplets[1] += mined.size();
            return mined.size();
        }, round, round, 5);
        double[] withThen = suspects == null ? new double[] {Double.NaN, Double.NaN}
                : onePassVsTwoScans(miner, new MislabelDetector(suspects, distances), bank, batches, round,
                        new long[2]);
        return new MiningResult(aps, triplets[0] / (double) Math.max(1, triplets[1]), firstBatchMs, withThen[0],
                withThen[1]);
    }

    /** Mining the bundled images' embeddings: anchors/s in one pass and the two-scan way, and the bank it ran on. */
    record BundledMining(double onePassPerSecond, double twoScansPerSecond, double tripletsPerAnchor, int bankRows) {
    }

    /**
     * The stream's mining work on real embeddings: a bank of the configured size filled from the first half of
     * {@code embedded} as the stream fills it (slot per id), the second half mined against it in batches of
     * {@code batch}, with the detector fed by the miner's pass (the stream's way) and, side by side, the miner
     * followed by the detector's own scan.
     */
    static BundledMining miningBundled(List<EmbeddedImage> embedded, int perLabel, int capacity, int batch,
                                  Distances distances, MislabelDetector.Rules suspects, double seconds)
            throws Exception {
        BundledCase c = BundledCase.of(embedded, perLabel, capacity, batch);
        long[] triplets = {0, 0};
        double[] rates = onePassVsTwoScans(new TripletMiner(MiningRules.defaults(), distances),
                new MislabelDetector(suspects, distances), c.bank(), c.batches(), (long) (seconds * 1e9 / 6),
                triplets);
        return new BundledMining(rates[0], rates[1], triplets[0] / (double) Math.max(1, triplets[1]),
                c.bank().size());
    }

    /** The bundled case's bank, filled from the first half of the embeddings, and the second half in batches. */
    private record BundledCase(MemoryBank bank, List<List<EmbeddedImage>> batches) {

        static BundledCase of(List<EmbeddedImage> embedded, int perLabel, int capacity, int batch) {
            int half = embedded.size() / 2;
            MemoryBank bank = new MemoryBank(embedded.get(0).embedding().length, perLabel, capacity);
            for (EmbeddedImage e : embedded.subList(0, half)) {
                bank.put(MemoryBank.key(e.label(), e.id(), perLabel), e);
            }
            List<List<EmbeddedImage>> batches = new ArrayList<>();
            for (int b0 = half; b0 + batch <= embedded.size(); b0 += batch) {
                batches.add(embedded.subList(b0, b0 + batch));
            }
            return new BundledCase(bank, batches);
        }
    }

    /**
     * Anchors/s of the miner's pass feeding the detector (the stream's way) and of the miner followed by the
     * detector's own scan, rounds alternating over {@code batches}; the one pass adds its triplets and anchors to
     * {@code triplets[0]} and {@code triplets[1]}.
     */
    private static double[] onePassVsTwoScans(TripletMiner miner, MislabelDetector detector, MemoryBank bank,
                                              List<List<EmbeddedImage>> batches, long round, long[] triplets)
            throws Exception {
        int[] next = {0};
        return rates(() -> {
            List<EmbeddedImage> anchors = batches.get(next[0]++ % batches.size());
            for (List<Triplet> t : miner.mine(bank, anchors, detector).triplets()) {
                triplets[0] += t.size();
                triplets[1]++;
            }
            return anchors.size();
        }, () -> {
            List<EmbeddedImage> anchors = batches.get(next[0]++ % batches.size());
            miner.mine(bank, anchors);
            return detector.detect(bank, anchors).size();
        }, round, round, 5);
    }

    /**
     * The stream's mining as configured, on real embeddings: the bank as in {@link #miningBundled}, the configured
     * rules and anchor budget, the detector fed by the miner's pass, the miner as the stream builds it (one per task,
     * a thread per core at most). Anchors/s over the median of five rounds.
     */
    static double miningConfigured(List<EmbeddedImage> embedded, HardnegConfig config, Distances distances,
                                   MislabelDetector.Rules suspects, double seconds) throws Exception {
        BundledCase c = BundledCase.of(embedded, config.bank().perLabel(), config.bank().max(),
                config.inference().batchMax());
        TripletMiner miner = new TripletMiner(MiningTopology.rules(config.mining()), distances,
                Runtime.getRuntime().availableProcessors(), MiningTopology.budget(config.mining(), budget -> { }));
        MislabelDetector detector = new MislabelDetector(suspects, distances);
        int[] next = {0};
        long round = (long) (seconds * 1e9 / 6);
        return rate(() -> {
            List<EmbeddedImage> anchors = c.batches().get(next[0]++ % c.batches().size());
            miner.mine(c.bank(), anchors, detector);
            return anchors.size();
        }, round, round, 5);
    }

    /** A random unit vector, or one near {@code centre} when given. */
    private static float[] unit(Random rnd, int dim, float[] centre, float noise) {
        float[] v = new float[dim];
        double n = 0;
        for (int k = 0; k < dim; k++) {
            v[k] = centre == null ? (float) rnd.nextGaussian()
                    : centre[k] + (float) (rnd.nextGaussian() * noise / Math.sqrt(dim));
            n += v[k] * v[k];
        }
        for (int k = 0; k < dim; k++) {
            v[k] /= (float) Math.sqrt(n);
        }
        return v;
    }
}
