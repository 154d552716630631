package io.hardneg.model;

/**
 * The device a session actually runs on, and why when it is not the one asked for.
 *
 * @param name {@code cpu} or {@code cuda:N}
 * @param fallbackReason null when the request was met, else why {@code auto} fell back to the CPU
 */
public record Device(String name, String fallbackReason) {

    public static Device cpu() {
        return new Device("cpu", null);
    }

    public boolean isCuda() {
        return name.startsWith("cuda");
    }
}
