package io.hardneg.image;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;

/**
 * Turns a decoded image into float planes (C×H×W, values in 0..255, not yet normalised) with the model's channel
 * count, reading raster samples directly.
 *
 * <p>Why not {@code BufferedImage.getRGB}: ImageIO loads gray PNGs with a linear gray colour space and getRGB
 * converts them to sRGB with a gamma curve, so a stored 100 would come back as another value; training code
 * (PIL, torchvision) uses the stored value. getRGB is only the fallback for colour spaces that are neither gray,
 * RGB, CMYK nor indexed.
 *
 * <ul>
 *   <li>Samples of any bit depth are scaled to 0..255 as floats: v = s · 255 / (2^bits − 1), e.g. s/257 for
 *       16-bit, without rounding.</li>
 *   <li>Alpha is composited over <b>black</b> (v · a/255), which matches white-on-black Fashion-MNIST style data;
 *       a transparent palette index becomes black too.</li>
 *   <li>One output channel from colour: luma Y = 0.299 R + 0.587 G + 0.114 B (ITU-R 601, as PIL's "L", without
 *       rounding). Three output channels from gray: the gray value replicated.</li>
 *   <li>CMYK: naive conversion R = (255 − C)(255 − K)/255 (same for G with M, B with Y), no ICC profile.</li>
 * </ul>
 * Buffers are per row, never per pixel.
 */
final class PixelConverter {

    private static final float LUMA_R = 0.299f;
    private static final float LUMA_G = 0.587f;
    private static final float LUMA_B = 0.114f;

    private PixelConverter() {
    }

    static float[] toPlanes(BufferedImage image, int channels) {
        ColorModel cm = image.getColorModel();
        Raster raster = image.getRaster();
        if (cm instanceof IndexColorModel icm) {
            return indexed(raster, icm, channels);
        }
        int type = cm.getColorSpace().getType();
        int colours = cm.getNumColorComponents();
        if (type == ColorSpace.TYPE_GRAY && colours == 1) {
            return components(raster, cm, 1, channels);
        }
        if (type == ColorSpace.TYPE_RGB && colours == 3) {
            return components(raster, cm, 3, channels);
        }
        if (type == ColorSpace.TYPE_CMYK && colours == 4 && !cm.hasAlpha()) {
            return cmyk(raster, bitsPerBand(raster, cm), channels);
        }
        return viaRgb(image, channels);
    }

    /** Real CMYK samples (0 = no ink) of 8 bits per band. */
    static float[] cmyk(Raster raster, int channels) {
        return cmyk(raster, new int[] {8, 8, 8, 8}, channels);
    }

    private static float[] components(Raster raster, ColorModel cm, int colours, int channels) {
        int w = raster.getWidth();
        int h = raster.getHeight();
        int plane = w * h;
        int[] bits = bitsPerBand(raster, cm);
        boolean alpha = cm.hasAlpha();
        // Premultiplied colours are already composited over black.
        boolean multiplyAlpha = alpha && !cm.isAlphaPremultiplied();
        float[] out = new float[channels * plane];
        int[] row = new int[w];
        float[][] values = new float[colours][w];
        float[] alphaRow = new float[w];
        for (int y = 0; y < h; y++) {
            for (int b = 0; b < colours; b++) {
                raster.getSamples(raster.getMinX(), raster.getMinY() + y, w, 1, b, row);
                scale(row, bits[b], values[b]);
            }
            if (multiplyAlpha) {
                raster.getSamples(raster.getMinX(), raster.getMinY() + y, w, 1, colours, row);
                scale(row, bits[colours], alphaRow);
                for (float[] v : values) {
                    for (int x = 0; x < w; x++) {
                        v[x] = v[x] * alphaRow[x] / 255f;
                    }
                }
            }
            emit(values, colours, channels, out, y * w, plane);
        }
        return out;
    }

    private static float[] indexed(Raster raster, IndexColorModel icm, int channels) {
        // Tables span every value the sample can hold, so an index past the palette reads black, not garbage.
        int entries = 1 << Math.min(16, raster.getSampleModel().getSampleSize(0));
        int size = Math.min(icm.getMapSize(), entries);
        float[][] table = new float[3][entries];
        for (int i = 0; i < size; i++) {
            float a = icm.getAlpha(i) / 255f;
            table[0][i] = icm.getRed(i) * a;
            table[1][i] = icm.getGreen(i) * a;
            table[2][i] = icm.getBlue(i) * a;
        }
        int w = raster.getWidth();
        int h = raster.getHeight();
        int plane = w * h;
        float[] out = new float[channels * plane];
        int[] row = new int[w];
        for (int y = 0; y < h; y++) {
            raster.getSamples(raster.getMinX(), raster.getMinY() + y, w, 1, 0, row);
            int base = y * w;
            for (int x = 0; x < w; x++) {
                int i = row[x] & (entries - 1);
                float r = table[0][i];
                float g = table[1][i];
                float b = table[2][i];
                if (channels == 1) {
                    out[base + x] = luma(r, g, b);
                } else {
                    out[base + x] = r;
                    out[plane + base + x] = g;
                    out[2 * plane + base + x] = b;
                }
            }
        }
        return out;
    }

    private static float[] cmyk(Raster raster, int[] bits, int channels) {
        int w = raster.getWidth();
        int h = raster.getHeight();
        int plane = w * h;
        float[] out = new float[channels * plane];
        int[] row = new int[w];
        float[][] ink = new float[4][w];
        float[][] rgb = new float[3][w];
        for (int y = 0; y < h; y++) {
            for (int b = 0; b < 4; b++) {
                raster.getSamples(raster.getMinX(), raster.getMinY() + y, w, 1, b, row);
                scale(row, bits[b], ink[b]);
            }
            for (int c = 0; c < 3; c++) {
                for (int x = 0; x < w; x++) {
                    rgb[c][x] = (255f - ink[c][x]) * (255f - ink[3][x]) / 255f;
                }
            }
            emit(rgb, 3, channels, out, y * w, plane);
        }
        return out;
    }

    /** Anything else (rare colour spaces): let Java2D convert to sRGB, one row at a time. */
    private static float[] viaRgb(BufferedImage image, int channels) {
        int w = image.getWidth();
        int h = image.getHeight();
        int plane = w * h;
        float[] out = new float[channels * plane];
        int[] argb = new int[w];
        float[][] rgb = new float[3][w];
        for (int y = 0; y < h; y++) {
            image.getRGB(0, y, w, 1, argb, 0, w);
            for (int x = 0; x < w; x++) {
                int p = argb[x];
                float a = (p >>> 24) / 255f;
                rgb[0][x] = ((p >> 16) & 0xFF) * a;
                rgb[1][x] = ((p >> 8) & 0xFF) * a;
                rgb[2][x] = (p & 0xFF) * a;
            }
            emit(rgb, 3, channels, out, y * w, plane);
        }
        return out;
    }

    /** Writes one row of {@code colours} value rows into the output planes with the model's channel count. */
    private static void emit(float[][] values, int colours, int channels, float[] out, int base, int plane) {
        int w = values[0].length;
        if (colours == channels) {
            for (int c = 0; c < channels; c++) {
                System.arraycopy(values[c], 0, out, c * plane + base, w);
            }
        } else if (channels == 1) {
            for (int x = 0; x < w; x++) {
                out[base + x] = luma(values[0][x], values[1][x], values[2][x]);
            }
        } else {
            for (int c = 0; c < channels; c++) {
                System.arraycopy(values[0], 0, out, c * plane + base, w);
            }
        }
    }

    static float luma(float r, float g, float b) {
        return LUMA_R * r + LUMA_G * g + LUMA_B * b;
    }

    private static void scale(int[] samples, int bits, float[] dst) {
        if (bits == 8) {
            for (int x = 0; x < dst.length; x++) {
                dst[x] = samples[x];
            }
            return;
        }
        // s·255 stays exact in float up to 16 bits (65535·255 < 2^24), so only the division rounds.
        float max = (float) ((1L << bits) - 1);
        for (int x = 0; x < dst.length; x++) {
            dst[x] = samples[x] * 255f / max;
        }
    }

    private static int[] bitsPerBand(Raster raster, ColorModel cm) {
        int bands = raster.getNumBands();
        int[] bits = new int[bands];
        for (int b = 0; b < bands; b++) {
            bits[b] = Math.min(16, b < cm.getNumComponents() ? cm.getComponentSize(b) : raster.getSampleModel().getSampleSize(b));
        }
        return bits;
    }
}
