package io.hardneg.model;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The serving model, swappable at run time: a swap is one reference assignment, batches already holding a
 * lease finish on the old session, which is closed when its last lease is released.
 */
public final class ModelRegistry implements ModelProvider, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ModelRegistry.class);

    private final Object lock = new Object();
    private final Consumer<EmbeddingModel> onSwap;
    private Counted current;

    public ModelRegistry(EmbeddingModel initial, Consumer<EmbeddingModel> onSwap) {
        this.current = new Counted(initial);
        this.onSwap = onSwap;
    }

    /** The model serving now (without a lease: for reading its info only). */
    public EmbeddingModel current() {
        synchronized (lock) {
            return current.model;
        }
    }

    @Override
    public Lease acquire() {
        synchronized (lock) {
            Counted c = current;
            c.leases.incrementAndGet();
            return new Lease() {
                private boolean released;

                @Override
                public EmbeddingModel model() {
                    return c.model;
                }

                @Override
                public void close() {
                    if (!released) {
                        released = true;
                        c.release();
                    }
                }
            };
        }
    }

    /** Makes {@code next} the serving model; the old one closes once its in-flight batches are done. */
    public void swap(EmbeddingModel next) {
        Counted old;
        synchronized (lock) {
            old = current;
            current = new Counted(next);
        }
        LOG.info("model swapped: {} v{} -> {} v{}", old.model.info().name(), old.model.info().version(),
                next.info().name(), next.info().version());
        old.retire();
        try {
            onSwap.accept(next);
        } catch (RuntimeException e) {
            LOG.warn("model swap listener failed: {}", e.toString());
        }
    }

    @Override
    public void close() {
        synchronized (lock) {
            current.retire();
        }
    }

    /** A model with its lease count; the registry itself holds one lease until the model is retired. */
    private static final class Counted {
        final EmbeddingModel model;
        final AtomicInteger leases = new AtomicInteger(1);

        Counted(EmbeddingModel model) {
            this.model = model;
        }

        void retire() {
            release();
        }

        void release() {
            if (leases.decrementAndGet() == 0) {
                model.close();
            }
        }
    }
}
