package io.hardneg.stream;

/** The record headers hardneg reads and writes. */
public final class RecordHeaderNames {
    /** On {@code images} and {@code embeddings}: the class or identity, UTF-8. */
    public static final String LABEL = "label";
    public static final String CONTENT_TYPE = "content-type";
    public static final String MODEL_VERSION = "model-version";
    public static final String DIM = "dim";
    public static final String ERROR_CODE = "error.code";
    public static final String ERROR_MESSAGE = "error.message";
    public static final String ERROR_TOPIC = "error.source.topic";
    public static final String ERROR_PARTITION = "error.source.partition";
    public static final String ERROR_OFFSET = "error.source.offset";

    private RecordHeaderNames() {
    }
}
