package io.hardneg.image;

import java.util.Arrays;

/**
 * The model's input: channels × height × width and per-channel normalisation
 * {@code x = (v/255 - mean[c]) / std[c]}, where {@code v} is the 0..255 pixel value.
 *
 * <p>The arrays are copied in and out, so a spec is immutable and safe to share between threads.
 *
 * @param channels 1 (gray) or 3 (RGB, in that order)
 * @param height   rows the model expects, &gt; 0
 * @param width    columns the model expects, &gt; 0
 * @param mean     per-channel mean, length {@code channels}
 * @param std      per-channel standard deviation, length {@code channels}, each &gt; 0 and finite
 */
public record InputSpec(int channels, int height, int width, float[] mean, float[] std) {

    public InputSpec {
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException("channels must be 1 or 3, found " + channels);
        }
        if (height <= 0 || width <= 0) {
            throw new IllegalArgumentException("height and width must be > 0, found " + height + "×" + width);
        }
        if ((long) channels * height * width > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("input of " + channels + "×" + height + "×" + width
                    + " floats does not fit in one array");
        }
        mean = checked("mean", mean, channels, false);
        std = checked("std", std, channels, true);
    }

    /** A spec whose single mean and std apply to every channel. */
    public static InputSpec uniform(int channels, int height, int width, float mean, float std) {
        float[] m = new float[channels];
        float[] s = new float[channels];
        Arrays.fill(m, mean);
        Arrays.fill(s, std);
        return new InputSpec(channels, height, width, m, s);
    }

    /** A one-channel (gray) spec, e.g. {@code gray(28, 28, 0.5f, 0.5f)} for the Fashion-MNIST model. */
    public static InputSpec gray(int h, int w, float mean, float std) {
        return uniform(1, h, w, mean, std);
    }

    /** Number of floats one image occupies: channels × height × width. */
    public int size() {
        return channels * height * width;
    }

    /** Number of pixels of one channel plane: height × width. */
    public int planeSize() {
        return height * width;
    }

    @Override
    public float[] mean() {
        return mean.clone();
    }

    @Override
    public float[] std() {
        return std.clone();
    }

    float mean(int c) {
        return mean[c];
    }

    float std(int c) {
        return std[c];
    }

    // Records compare arrays by reference; a spec is a value, so compare the contents.
    @Override
    public boolean equals(Object o) {
        return o instanceof InputSpec s && s.channels == channels && s.height == height && s.width == width
                && Arrays.equals(s.mean, mean) && Arrays.equals(s.std, std);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * (31 * (31 * channels + height) + width) + Arrays.hashCode(mean)) + Arrays.hashCode(std);
    }

    @Override
    public String toString() {
        return "InputSpec[" + channels + "×" + height + "×" + width
                + ", mean=" + Arrays.toString(mean) + ", std=" + Arrays.toString(std) + "]";
    }

    private static float[] checked(String name, float[] values, int channels, boolean positive) {
        if (values == null || values.length != channels) {
            throw new IllegalArgumentException(name + " must have " + channels + " value(s) (one per channel), found "
                    + (values == null ? "null" : values.length + ": " + Arrays.toString(values)));
        }
        for (float v : values) {
            if (!Float.isFinite(v) || (positive && v <= 0f)) {
                throw new IllegalArgumentException(name + " values must be finite" + (positive ? " and > 0" : "")
                        + ", found " + Arrays.toString(values));
            }
        }
        return values.clone();
    }
}
