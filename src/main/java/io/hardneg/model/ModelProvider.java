package io.hardneg.model;

/**
 * Hands out the model currently serving; a lease keeps it open until the batch that took it is done, so a hot
 * swap never closes a session under a running inference.
 */
public interface ModelProvider {

    Lease acquire();

    /** The serving model, held until {@link #close()}. */
    interface Lease extends AutoCloseable {
        EmbeddingModel model();

        @Override
        void close();
    }

    /** A provider that always serves one model (closed by its owner). */
    static ModelProvider fixed(EmbeddingModel model) {
        Lease lease = new Lease() {
            @Override
            public EmbeddingModel model() {
                return model;
            }

            @Override
            public void close() {
                // the owner closes the model
            }
        };
        return () -> lease;
    }
}
