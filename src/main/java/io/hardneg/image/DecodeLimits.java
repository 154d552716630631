package io.hardneg.image;

/**
 * Limits that keep hostile images from allocating: checked before pixels are decoded.
 *
 * @param maxBytes  largest encoded record accepted, checked before anything is parsed
 * @param maxPixels largest width × height accepted, checked against the header before pixels are decoded
 */
public record DecodeLimits(int maxBytes, long maxPixels) {

    /** 10 MiB: far above any sensible product photo, far below what hurts a consumer. */
    public static final int DEFAULT_MAX_BYTES = 10 * 1024 * 1024;
    /** 16 Mpx (4096×4096): a decoded ARGB image of this size is 64 MiB, bounded per in-flight record. */
    public static final long DEFAULT_MAX_PIXELS = 1L << 24;

    public DecodeLimits {
        if (maxBytes <= 0) {
            throw new IllegalArgumentException("maxBytes must be > 0, found " + maxBytes);
        }
        if (maxPixels <= 0) {
            throw new IllegalArgumentException("maxPixels must be > 0, found " + maxPixels);
        }
    }

    /** 10 MiB and 16,777,216 pixels. */
    public static DecodeLimits defaults() {
        return new DecodeLimits(DEFAULT_MAX_BYTES, DEFAULT_MAX_PIXELS);
    }
}
