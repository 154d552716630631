package io.hardneg.model;

import java.util.Locale;

/** Which device the user asked inference to run on: {@code auto}, {@code cpu} or {@code cuda[:id]}. */
public record DeviceRequest(Mode mode, int cudaId) {

    /** The three ways to ask for a device. */
    public enum Mode { AUTO, CPU, CUDA }

    public DeviceRequest {
        if (cudaId < 0) {
            throw new IllegalArgumentException("CUDA device id must be >= 0, found " + cudaId);
        }
    }

    public static DeviceRequest auto() {
        return new DeviceRequest(Mode.AUTO, 0);
    }

    public static DeviceRequest cpu() {
        return new DeviceRequest(Mode.CPU, 0);
    }

    /** Parses {@code auto}, {@code cpu}, {@code cuda} or {@code cuda:N}. */
    public static DeviceRequest parse(String text) {
        String s = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        if (s.equals("auto")) {
            return auto();
        }
        if (s.equals("cpu")) {
            return cpu();
        }
        if (s.equals("cuda")) {
            return new DeviceRequest(Mode.CUDA, 0);
        }
        if (s.startsWith("cuda:")) {
            try {
                int id = Integer.parseInt(s.substring(5));
                // A negative id gets the common message too, so the user sees what is allowed.
                if (id >= 0) {
                    return new DeviceRequest(Mode.CUDA, id);
                }
            } catch (NumberFormatException e) {
                // fall through to the common message
            }
        }
        throw new IllegalArgumentException(
                "inference.device is '" + text + "', expected one of auto, cpu, cuda, cuda:<id>");
    }

    @Override
    public String toString() {
        return mode == Mode.CUDA ? "cuda:" + cudaId : mode.name().toLowerCase(Locale.ROOT);
    }
}
