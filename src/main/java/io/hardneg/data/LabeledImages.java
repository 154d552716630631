package io.hardneg.data;

/**
 * A set of same-size 8-bit gray images with integer labels, as in MNIST-style IDX files.
 *
 * @param pixels {@code count * height * width} bytes, row-major, image after image
 */
public record LabeledImages(int count, int height, int width, byte[] pixels, int[] labels) {

    public LabeledImages {
        if (pixels.length != (long) count * height * width || labels.length != count) {
            throw new IllegalArgumentException("inconsistent image set: " + count + " images of " + height + "x"
                    + width + " need " + ((long) count * height * width) + " pixels and " + count
                    + " labels; found " + pixels.length + " and " + labels.length);
        }
    }

    public int imageSize() {
        return height * width;
    }

    /** The first {@code n} images (all of them when {@code n} is larger). */
    public LabeledImages head(int n) {
        int k = Math.min(n, count);
        byte[] p = java.util.Arrays.copyOf(pixels, k * imageSize());
        return new LabeledImages(k, height, width, p, java.util.Arrays.copyOf(labels, k));
    }

    /** Image {@code i}'s pixels as a new array. */
    public byte[] image(int i) {
        return java.util.Arrays.copyOfRange(pixels, i * imageSize(), (i + 1) * imageSize());
    }
}
