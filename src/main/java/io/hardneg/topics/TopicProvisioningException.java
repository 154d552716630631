package io.hardneg.topics;

/** The cluster could not be reached or refused to create a topic; the message names the cluster. */
public final class TopicProvisioningException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    TopicProvisioningException(String message, Throwable cause) {
        super(message, cause);
    }
}
