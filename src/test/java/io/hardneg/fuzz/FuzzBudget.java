package io.hardneg.fuzz;

import java.lang.management.ManagementFactory;
import java.lang.reflect.AnnotatedElement;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import net.jqwik.api.Property;
import net.jqwik.api.lifecycle.AroundPropertyHook;
import net.jqwik.api.lifecycle.PropagationMode;
import net.jqwik.api.lifecycle.PropertyExecutionResult;
import net.jqwik.api.lifecycle.PropertyExecutor;
import net.jqwik.api.lifecycle.PropertyLifecycleContext;

/**
 * Scales each fuzz property's tries to {@code -Dhardneg.fuzz.tries=N} (the total over all fuzz properties; each keeps
 * its share of {@link #DEFAULT_TOTAL}), and fails a property that did not check exactly that many inputs. Register it
 * on the class: it applies to each {@code @Property} method in it (not to {@code @Example}s).
 */
public final class FuzzBudget implements AroundPropertyHook {

    /** The sum of the fuzz properties' {@code @Property(tries)}: the default run's number of inputs. */
    public static final int DEFAULT_TOTAL = 105_000;
    /** The system property that sets the total. */
    public static final String PROPERTY = "hardneg.fuzz.tries";
    private static final AtomicLong CHECKED = new AtomicLong();

    /** Called once per input that went all the way through the harness. */
    public static void checked() {
        CHECKED.incrementAndGet();
    }

    /** A property's tries: its declared share of {@code total} (at least 1), or {@code declared} when unset. */
    static int tries(int declared, String total) {
        if (total == null || total.isBlank()) {
            return declared;
        }
        long n;
        try {
            n = Long.parseLong(total.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("-D" + PROPERTY + " must be a whole number, found '" + total + "'", e);
        }
        if (n < 1) {
            throw new IllegalArgumentException("-D" + PROPERTY + " must be at least 1, found " + n);
        }
        return (int) Math.min(Integer.MAX_VALUE, Math.max(1, declared * n / DEFAULT_TOTAL));
    }

    /** jqwik applies a class's hooks to nothing inside it unless told to: without this the budget was never used. */
    @Override
    public PropagationMode propagateTo() {
        return PropagationMode.ALL_DESCENDANTS;
    }

    @Override
    public boolean appliesTo(Optional<AnnotatedElement> element) {
        return element.map(e -> e.isAnnotationPresent(Property.class)).orElse(false);
    }

    @Override
    public PropertyExecutionResult aroundProperty(PropertyLifecycleContext context, PropertyExecutor property) {
        int declared = context.attributes().tries().orElse(1000);
        int tries = tries(declared, System.getProperty(PROPERTY));
        context.attributes().setTries(tries);
        CHECKED.set(0);
        long t0 = System.nanoTime();
        long cpu0 = processCpuNanos();
        PropertyExecutionResult result = property.execute();
        long checked = CHECKED.get();
        // Process CPU as well as wall time: on a shared machine only the former says what a dedicated one would take.
        System.out.printf("FUZZ %s: %d inputs checked (tries %d) in %.1f s, %.1f s process CPU, seed %s%n",
                context.label(), checked, tries, (System.nanoTime() - t0) / 1e9, (processCpuNanos() - cpu0) / 1e9,
                result.seed().orElse("?"));
        // Exactly: fewer means generation ran dry or inputs were discarded, more that the budget was not applied.
        if (result.status() == PropertyExecutionResult.Status.SUCCESSFUL && checked != tries) {
            return result.mapToFailed(context.label() + " checked " + checked + " inputs, expected " + tries
                    + " (-D" + PROPERTY + " not applied, generation exhausted or inputs discarded)");
        }
        return result;
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }
}
