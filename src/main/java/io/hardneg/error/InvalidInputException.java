package io.hardneg.error;

/** TEMPORARY stand-in until the image branch lands; replaced by its version on merge. */
public final class InvalidInputException extends Exception {
    private final ErrorCode code;

    public InvalidInputException(ErrorCode code, String message) {
        super(message);
        this.code = code;
    }

    public InvalidInputException(ErrorCode code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }
}
