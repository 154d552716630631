package io.hardneg.topics;

/** A topic file is missing, unreadable or malformed; the message names the file and the key. */
public final class TopicFileException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    TopicFileException(String message) {
        super(message);
    }

    TopicFileException(String message, Throwable cause) {
        super(message, cause);
    }
}
