package io.hardneg.image;

/** TEMPORARY stand-in until the image branch lands; replaced by its version on merge. */
public record DecodeLimits(int maxBytes, long maxPixels) {
    public static DecodeLimits defaults() {
        return new DecodeLimits(10 << 20, 16L << 20);
    }
}
