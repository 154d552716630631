package io.hardneg.image;

/** TEMPORARY stand-in until the image branch lands; replaced by its version on merge. */
public record InputSpec(int channels, int height, int width, float[] mean, float[] std) {
    public int size() {
        return channels * height * width;
    }

    public static InputSpec gray(int h, int w, float mean, float std) {
        return new InputSpec(1, h, w, new float[] {mean}, new float[] {std});
    }
}
