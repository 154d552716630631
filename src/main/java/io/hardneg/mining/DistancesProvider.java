package io.hardneg.mining;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.ManagementFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses the distance kernel once per JVM, like Lucene's {@code VectorizationProvider}: the Vector API kernel when
 * {@code jdk.incubator.vector} is readable (Java 17 needs {@code --add-modules jdk.incubator.vector}), else the
 * plain-Java one, with one log line saying how to enable the fast path.
 */
final class DistancesProvider {

    private static final Logger LOG = LoggerFactory.getLogger(DistancesProvider.class);

    /** {@code -Dhardneg.vector=false} forces the scalar kernel (for comparisons). */
    static final String DISABLE_PROPERTY = "hardneg.vector";
    /** {@code -Dhardneg.vector.warmup=false} skips the start-up warm-up (for comparisons). */
    static final String WARMUP_PROPERTY = "hardneg.vector.warmup";

    /** Chosen on first use, not when {@link #candidate()} is asked: {@code --version} must not pay the warm-up. */
    private static final class Chosen {
        static final Distances BEST = choose();
    }

    private DistancesProvider() {
    }

    static Distances best() {
        return Chosen.BEST;
    }

    /** The kernel {@link #choose()} picks, neither warmed up nor logged. */
    static Distances candidate() {
        if (!Boolean.parseBoolean(System.getProperty(DISABLE_PROPERTY, "true"))) {
            return new ScalarDistances();
        }
        Distances vector = vectorOrNull();
        return vector != null ? vector : new ScalarDistances();
    }

    private static Distances choose() {
        if (!hardwareFma()) {
            LOG.warn("this CPU has no fused multiply-add (HotSpot's UseFMA is false): both mining kernels compute "
                    + "with Math.fma, which the JVM then emulates, so mining runs many times slower than on a CPU "
                    + "with FMA (x86 since 2013, every ARMv8)");
        }
        if (!Boolean.parseBoolean(System.getProperty(DISABLE_PROPERTY, "true"))) {
            LOG.info("mining kernel: scalar (-D{}=false)", DISABLE_PROPERTY);
            return new ScalarDistances();
        }
        Distances vector = vectorOrNull();
        if (vector != null) {
            if (Boolean.parseBoolean(System.getProperty(WARMUP_PROPERTY, "true"))) {
                long t0 = System.nanoTime();
                warmUp(vector);
                LOG.info("mining kernel: Vector API ({}; warmed up in {} ms)", vector.name(),
                        (System.nanoTime() - t0) / 1_000_000);
            } else {
                LOG.info("mining kernel: Vector API ({}; no warm-up: -D{}=false)", vector.name(), WARMUP_PROPERTY);
            }
            return vector;
        }
        // Plain `java -jar` relaunches itself with the module (cli.VectorRelaunch) but for the cases named here.
        LOG.info("mining kernel: scalar; start Java with --add-modules jdk.incubator.vector for the SIMD kernel "
                + "(plain java -jar does unless HARDNEG_RELAUNCH=0, or an agent, debugger, JMX port, JFR or log file "
                + "is set)");
        return new ScalarDistances();
    }

    /** Whether HotSpot runs {@link Math#fma} as an instruction; true where the JVM does not say. */
    static boolean hardwareFma() {
        try {
            HotSpotDiagnosticMXBean hotSpot = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
            return hotSpot == null || Boolean.parseBoolean(hotSpot.getVMOption("UseFMA").getValue());
        } catch (RuntimeException e) {
            return true;
        }
    }

    /**
     * Runs each of the kernel's loops a few thousand times on a tiny bank, so that C2 has compiled them before the
     * first real batch: until then the Vector API runs interpreted or in C1, boxing every vector. ({@code bench
     * --stages mining}, {@code mining_first_batch_ms_10k}: 618–703 ms without the warm-up, 17–57 ms with it,
     * ~1.6 ms once warm.) Returns a checksum of what it computed (integer sums of the distances' bits, so the order
     * of hits does not matter), so that the work cannot be optimised away and tests can compare kernels on it.
     */
    static long warmUp(Distances kernel) {
        int dim = 64;
        int rows = 64;
        int queries = 32;
        java.util.Random rnd = new java.util.Random(7);
        float[] bank = new float[rows * dim];
        for (int i = 0; i < bank.length; i++) {
            bank[i] = (float) rnd.nextGaussian() * 0.125f; // rows of length ~1, as embeddings are
        }
        float[] q = java.util.Arrays.copyOf(bank, queries * dim);
        int[] rowTags = new int[rows];
        int[] queryTags = new int[queries];
        int[] list = new int[rows];
        for (int i = 0; i < rows; i++) {
            rowTags[i] = i % 5;
            list[i] = rows - 1 - i;
        }
        for (int i = 0; i < queries; i++) {
            queryTags[i] = i % 5;
        }
        float[] limits = new float[queries];
        java.util.Arrays.fill(limits, 2f);
        float[] out = new float[queries * rows];
        long[] sum = {0};
        Distances.Hits tighten = (query, row, d) -> {
            sum[0] += Float.floatToRawIntBits(d);
            return d;
        };
        for (int round = 0; round < 2_000; round++) {
            // the bounded scan (hits tighten) with two query vectors and with one, the gathered kernel both ways
            kernel.scanWithin(q, queries, bank, rows, dim, limits, queryTags, rowTags, tighten);
            kernel.scanWithin(q, 3, bank, rows, dim, limits, queryTags, rowTags, tighten);
            kernel.squaredL2(q, queries, bank, list, 0, rows, dim, out);
            sum[0] += Float.floatToRawIntBits(out[round % out.length]);
            kernel.squaredL2(q, 3, bank, list, 0, rows, dim, out);
            sum[0] += Float.floatToRawIntBits(out[round % (3 * rows)]);
        }
        return sum[0];
    }

    /** The Vector API kernel, or null when the incubator module is not in the boot layer. */
    static Distances vectorOrNull() {
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            return null;
        }
        try {
            return (Distances) Class.forName("io.hardneg.mining.VectorDistances").getDeclaredConstructor()
                    .newInstance();
        } catch (ReflectiveOperationException | LinkageError e) {
            LOG.debug("Vector API kernel unavailable: {}", e.toString());
            return null;
        }
    }
}
