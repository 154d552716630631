package io.hardneg.fuzz;

import java.util.concurrent.atomic.AtomicLong;
import net.jqwik.api.lifecycle.AroundPropertyHook;
import net.jqwik.api.lifecycle.PropertyExecutionResult;
import net.jqwik.api.lifecycle.PropertyExecutor;
import net.jqwik.api.lifecycle.PropertyLifecycleContext;

/**
 * Scales each fuzz property's tries to {@code -Dhardneg.fuzz.tries=N} (the total over all fuzz properties; each keeps
 * its share of {@link #DEFAULT_TOTAL}), and fails a property that checked fewer inputs than its tries.
 */
public final class FuzzBudget implements AroundPropertyHook {

    /** The sum of the fuzz properties' {@code @Property(tries)}: the default run's number of inputs. */
    public static final int DEFAULT_TOTAL = 105_000;
    private static final AtomicLong CHECKED = new AtomicLong();

    /** Called once per input that went all the way through the harness. */
    public static void checked() {
        CHECKED.incrementAndGet();
    }

    @Override
    public PropertyExecutionResult aroundProperty(PropertyLifecycleContext context, PropertyExecutor property) {
        int declared = context.attributes().tries().orElse(1000);
        String total = System.getProperty("hardneg.fuzz.tries");
        if (total != null && !total.isBlank()) {
            context.attributes().setTries((int) Math.max(1, (long) declared * Long.parseLong(total.trim())
                    / DEFAULT_TOTAL));
        }
        int tries = context.attributes().tries().orElse(declared);
        CHECKED.set(0);
        long t0 = System.nanoTime();
        PropertyExecutionResult result = property.execute();
        long checked = CHECKED.get();
        System.out.printf("FUZZ %s: %d inputs checked (tries %d) in %.1f s, seed %s%n", context.label(), checked,
                tries, (System.nanoTime() - t0) / 1e9, result.seed().orElse("?"));
        if (result.status() == PropertyExecutionResult.Status.SUCCESSFUL && checked < tries) {
            return result.mapToFailed(context.label() + " checked " + checked + " inputs, expected " + tries
                    + " (generation exhausted or inputs discarded)");
        }
        return result;
    }
}
