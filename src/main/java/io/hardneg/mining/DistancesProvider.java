package io.hardneg.mining;

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

    private static final Distances BEST = choose();

    private DistancesProvider() {
    }

    static Distances best() {
        return BEST;
    }

    private static Distances choose() {
        if (!Boolean.parseBoolean(System.getProperty(DISABLE_PROPERTY, "true"))) {
            LOG.info("mining kernel: scalar (-D{}=false)", DISABLE_PROPERTY);
            return new ScalarDistances();
        }
        Distances vector = vectorOrNull();
        if (vector != null) {
            LOG.info("mining kernel: Vector API ({})", vector.name());
            return vector;
        }
        LOG.info("mining kernel: scalar; start Java with --add-modules jdk.incubator.vector "
                + "(or JDK_JAVA_OPTIONS=--add-modules=jdk.incubator.vector) for the SIMD kernel");
        return new ScalarDistances();
    }

    /** The Vector API kernel, or null when the incubator module is not in the boot layer. */
    static Distances vectorOrNull() {
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            return null;
        }
        try {
            return (Distances) Class.forName("io.hardneg.mining.VectorDistances").getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException | LinkageError e) {
            LOG.debug("Vector API kernel unavailable: {}", e.toString());
            return null;
        }
    }
}
