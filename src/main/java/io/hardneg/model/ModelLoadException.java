package io.hardneg.model;

/** A model that cannot be loaded or used, with a message saying what was expected and what was found. */
public final class ModelLoadException extends Exception {
    public ModelLoadException(String message) {
        super(message);
    }

    public ModelLoadException(String message, Throwable cause) {
        super(message, cause);
    }
}
