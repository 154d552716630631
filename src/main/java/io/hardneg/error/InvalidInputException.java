package io.hardneg.error;

import java.util.Objects;

/** An input record that cannot be processed, with its reason code. */
public final class InvalidInputException extends Exception {

    private final ErrorCode code;

    public InvalidInputException(ErrorCode code, String message) {
        super(message);
        this.code = Objects.requireNonNull(code, "code");
    }

    public InvalidInputException(ErrorCode code, String message, Throwable cause) {
        super(message, cause);
        this.code = Objects.requireNonNull(code, "code");
    }

    /** The reason code, used as the dead-letter {@code error.code} header and as a metric tag. */
    public ErrorCode code() {
        return code;
    }

    @Override
    public String toString() {
        return "InvalidInputException[" + code + "]: " + getMessage();
    }
}
