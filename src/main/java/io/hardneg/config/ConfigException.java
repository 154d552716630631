package io.hardneg.config;

/** A configuration value that is missing or not allowed; the message names the key, the value and what is allowed. */
public final class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }
}
