package io.hardneg.image;

import java.awt.image.BufferedImage;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** The corpus images' pixel formulas, shared by the generator and the tests, and a loader for the files. */
final class Corpus {

    static final int[] GIF_FRAMES = {60, 120, 180};
    /** Real CMYK ink (0 = none) of cmyk.jpg and ycck.jpg. */
    static final int[] CMYK = {30, 140, 220, 40};

    private Corpus() {
    }

    static byte[] load(String name) {
        try (InputStream in = Corpus.class.getResourceAsStream("/hostile/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource /hostile/" + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static int gray28Value(int x, int y) {
        return (x * 9 + y * 28) % 256;
    }

    static BufferedImage gray28() {
        BufferedImage image = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < 28; y++) {
            for (int x = 0; x < 28; x++) {
                image.getRaster().setSample(x, y, 0, gray28Value(x, y));
            }
        }
        return image;
    }

    /** 16-bit samples s = v·257 + (x % 2), at most 65535: exactly v for even x, v + 1/257 for odd x. */
    static BufferedImage gray16() {
        BufferedImage image = new BufferedImage(28, 28, BufferedImage.TYPE_USHORT_GRAY);
        for (int y = 0; y < 28; y++) {
            for (int x = 0; x < 28; x++) {
                image.getRaster().setSample(x, y, 0, Math.min(65535, gray28Value(x, y) * 257 + (x % 2)));
            }
        }
        return image;
    }

    static int[] rgb64Pixel(int x, int y) {
        return new int[] {x * 4, y * 4, (x + y) * 2};
    }

    static BufferedImage rgb64() {
        BufferedImage image = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 64; y++) {
            for (int x = 0; x < 64; x++) {
                int[] p = rgb64Pixel(x, y);
                image.setRGB(x, y, p[0] << 16 | p[1] << 8 | p[2]);
            }
        }
        return image;
    }

    /** 28×28 white, alpha = 255 on the left half, 128 on the right half except the last column (0). */
    static int rgbaAlpha(int x) {
        return x < 14 ? 255 : x < 27 ? 128 : 0;
    }

    static BufferedImage rgba() {
        BufferedImage image = new BufferedImage(28, 28, BufferedImage.TYPE_INT_ARGB);
        for (int y = 0; y < 28; y++) {
            for (int x = 0; x < 28; x++) {
                image.setRGB(x, y, rgbaAlpha(x) << 24 | 0xFFFFFF);
            }
        }
        return image;
    }

    /** Palette: 0 transparent (but white in RGB), 1 red, 2 gray 100. Left half index 0, right half 1, row 0 is 2. */
    static final int[][] PALETTE = {{255, 255, 255}, {255, 0, 0}, {100, 100, 100}};

    static int paletteIndex(int x, int y) {
        return y == 0 ? 2 : x < 14 ? 0 : 1;
    }

    static BufferedImage paletteTransparent() {
        byte[] r = new byte[4];
        byte[] g = new byte[4];
        byte[] b = new byte[4];
        for (int i = 0; i < PALETTE.length; i++) {
            r[i] = (byte) PALETTE[i][0];
            g[i] = (byte) PALETTE[i][1];
            b[i] = (byte) PALETTE[i][2];
        }
        IndexColorModel cm = new IndexColorModel(2, 4, r, g, b, 0);
        BufferedImage image = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_BINARY, cm);
        for (int y = 0; y < 28; y++) {
            for (int x = 0; x < 28; x++) {
                image.getRaster().setSample(x, y, 0, paletteIndex(x, y));
            }
        }
        return image;
    }

    static int[] bmpPixel(int x, int y) {
        return new int[] {x * 9, 255 - y * 9, 77};
    }

    static BufferedImage bmpRgb() {
        BufferedImage image = new BufferedImage(28, 28, BufferedImage.TYPE_3BYTE_BGR);
        for (int y = 0; y < 28; y++) {
            for (int x = 0; x < 28; x++) {
                int[] p = bmpPixel(x, y);
                image.setRGB(x, y, p[0] << 16 | p[1] << 8 | p[2]);
            }
        }
        return image;
    }

    /**
     * 16×16 of {@link #CMYK} as stored by Photoshop (Adobe convention: inverted), either as plain inverted CMYK or
     * YCCK (the inverted C, M, Y coded as YCbCr, K inverted).
     */
    static Raster storedCmyk(boolean ycck) {
        WritableRaster raster = Raster.createInterleavedRaster(DataBuffer.TYPE_BYTE, 16, 16, 4, null);
        int[] stored = {255 - CMYK[0], 255 - CMYK[1], 255 - CMYK[2], 255 - CMYK[3]};
        if (ycck) {
            // libjpeg's YCCK decoding yields 255 − (YCbCr→RGB), so code the real ink as the "RGB".
            double r = CMYK[0];
            double g = CMYK[1];
            double b = CMYK[2];
            stored[0] = (int) Math.round(0.299 * r + 0.587 * g + 0.114 * b);
            stored[1] = (int) Math.round(128 - 0.168736 * r - 0.331264 * g + 0.5 * b);
            stored[2] = (int) Math.round(128 + 0.5 * r - 0.418688 * g - 0.081312 * b);
        }
        for (int y = 0; y < 16; y++) {
            for (int x = 0; x < 16; x++) {
                raster.setPixel(x, y, stored);
            }
        }
        return raster;
    }
}
