package io.hardneg.fuzz;

import java.awt.image.BufferedImage;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;

/**
 * Valid images of every accepted format and colour layout, built once, that the mutators start from: PNG of every
 * colour type and bit depth, interlaced or not, with and without transparency; baseline, progressive, gray, CMYK and
 * YCCK JPEG; static, interlaced and animated GIF; BMP at 1, 4 (RLE4), 8 (plain and RLE8), 16, 24 and 32 bits.
 */
public final class Seeds {

    /** A seed image: its format ("png", "jpeg", "gif", "bmp"), what it is, and its bytes. */
    public record Seed(String format, String name, byte[] bytes) {
        @Override
        public String toString() {
            return name + " (" + bytes.length + " bytes)";
        }
    }

    private static final int[][] SIZES = {{1, 1}, {5, 3}, {28, 28}, {37, 19}};
    private static final List<Seed> ALL = build();

    private Seeds() {
    }

    public static List<Seed> all() {
        return ALL;
    }

    private static List<Seed> build() {
        List<Seed> seeds = new ArrayList<>();
        int[][] pngTypes = {{0, 1}, {0, 2}, {0, 4}, {0, 8}, {0, 16}, {2, 8}, {2, 16}, {3, 1}, {3, 2}, {3, 4}, {3, 8},
            {4, 8}, {4, 16}, {6, 8}, {6, 16}};
        for (int[] size : SIZES) {
            for (int[] t : pngTypes) {
                for (boolean interlaced : new boolean[] {false, true}) {
                    boolean trns = t[0] == 0 || t[0] == 2 || t[0] == 3;
                    seeds.add(new Seed("png", String.format("png %dx%d type %d depth %d%s", size[0], size[1], t[0],
                            t[1], interlaced ? " interlaced" : ""),
                            PngWriter.write(size[0], size[1], t[0], t[1], interlaced, false)));
                    if (trns && !interlaced) {
                        seeds.add(new Seed("png", String.format("png %dx%d type %d depth %d tRNS", size[0], size[1],
                                t[0], t[1]), PngWriter.write(size[0], size[1], t[0], t[1], false, true)));
                    }
                }
            }
            int w = Math.max(8, size[0]);
            int h = Math.max(8, size[1]);
            seeds.add(new Seed("jpeg", "jpeg gray " + w + "x" + h, jpeg(image(w, h, BufferedImage.TYPE_BYTE_GRAY),
                    false)));
            seeds.add(new Seed("jpeg", "jpeg rgb " + w + "x" + h, jpeg(image(w, h, BufferedImage.TYPE_INT_RGB),
                    false)));
            seeds.add(new Seed("jpeg", "jpeg progressive " + w + "x" + h,
                    jpeg(image(w, h, BufferedImage.TYPE_INT_RGB), true)));
            seeds.add(new Seed("jpeg", "jpeg cmyk " + w + "x" + h, adobe(jpegRaster(fourBands(w, h)), 0)));
            seeds.add(new Seed("jpeg", "jpeg ycck " + w + "x" + h, adobe(jpegRaster(fourBands(w, h)), 2)));
            seeds.add(new Seed("jpeg", "jpeg 4 components, no Adobe marker " + w + "x" + h,
                    jpegRaster(fourBands(w, h))));
            seeds.add(new Seed("gif", "gif " + size[0] + "x" + size[1], gif(size[0], size[1], 1, false)));
            seeds.add(new Seed("gif", "gif interlaced " + size[0] + "x" + size[1], gif(size[0], size[1], 1, true)));
            seeds.add(new Seed("gif", "gif animated " + size[0] + "x" + size[1], gif(size[0], size[1], 3, false)));
            seeds.add(new Seed("bmp", "bmp 24-bit " + size[0] + "x" + size[1],
                    bmp(image(size[0], size[1], BufferedImage.TYPE_3BYTE_BGR), null)));
            seeds.add(new Seed("bmp", "bmp 16-bit " + size[0] + "x" + size[1],
                    bmp(image(size[0], size[1], BufferedImage.TYPE_USHORT_565_RGB), null)));
            seeds.add(new Seed("bmp", "bmp 32-bit " + size[0] + "x" + size[1],
                    bmp(image(size[0], size[1], BufferedImage.TYPE_INT_RGB), "BI_BITFIELDS")));
            seeds.add(new Seed("bmp", "bmp 8-bit " + size[0] + "x" + size[1], bmp(indexed(size[0], size[1], 8), null)));
            seeds.add(new Seed("bmp", "bmp RLE8 " + size[0] + "x" + size[1],
                    bmp(indexed(size[0], size[1], 8), "BI_RLE8")));
            if (size[0] > 1) {
                // The JDK's RLE4 writer fails on a one-pixel-wide image (its own bug, not the reader's).
                seeds.add(new Seed("bmp", "bmp RLE4 " + size[0] + "x" + size[1],
                        bmp(indexed(size[0], size[1], 4), "BI_RLE4")));
            }
            seeds.add(new Seed("bmp", "bmp 1-bit " + size[0] + "x" + size[1], bmp(indexed(size[0], size[1], 1), null)));
        }
        return List.copyOf(seeds);
    }

    private static BufferedImage image(int w, int h, int type) {
        BufferedImage image = new BufferedImage(w, h, type);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                image.setRGB(x, y, (x * 40 & 0xFF) << 16 | (y * 30 & 0xFF) << 8 | ((x + y) * 20 & 0xFF));
            }
        }
        return image;
    }

    private static BufferedImage indexed(int w, int h, int bits) {
        int n = 1 << bits;
        byte[] r = new byte[n];
        byte[] g = new byte[n];
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            r[i] = (byte) (i * 255 / Math.max(1, n - 1));
            g[i] = (byte) (255 - i);
            b[i] = (byte) (i * 7);
        }
        IndexColorModel cm = new IndexColorModel(bits, n, r, g, b);
        BufferedImage image = bits == 8 ? new BufferedImage(w, h, BufferedImage.TYPE_BYTE_INDEXED, cm)
                : new BufferedImage(w, h, BufferedImage.TYPE_BYTE_BINARY, cm);
        WritableRaster raster = image.getRaster();
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                // Runs of equal values, so RLE has something to compress.
                raster.setSample(x, y, 0, (x / 3 + y) % n);
            }
        }
        return image;
    }

    private static Raster fourBands(int w, int h) {
        WritableRaster raster = Raster.createInterleavedRaster(DataBuffer.TYPE_BYTE, w, h, 4, null);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                raster.setPixel(x, y, new int[] {x * 9 & 0xFF, y * 9 & 0xFF, 128, 200});
            }
        }
        return raster;
    }

    private static byte[] jpeg(BufferedImage image, boolean progressive) {
        return write("jpeg", new IIOImage(image, null, null), param -> {
            if (progressive) {
                param.setProgressiveMode(ImageWriteParam.MODE_DEFAULT);
            }
        });
    }

    private static byte[] jpegRaster(Raster raster) {
        return write("jpeg", new IIOImage(raster, null, null), param -> { });
    }

    private static byte[] bmp(BufferedImage image, String compression) {
        return write("bmp", new IIOImage(image, null, null), param -> {
            if (compression != null) {
                param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
                param.setCompressionType(compression);
            }
        });
    }

    private static byte[] gif(int w, int h, int frames, boolean interlaced) {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("gif").next();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ImageOutputStream out = ImageIO.createImageOutputStream(bytes)) {
            writer.setOutput(out);
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setProgressiveMode(interlaced ? ImageWriteParam.MODE_DEFAULT : ImageWriteParam.MODE_DISABLED);
            writer.prepareWriteSequence(null);
            for (int f = 0; f < frames; f++) {
                BufferedImage frame = indexed(w, h, 8);
                frame.getRaster().setSample(0, 0, 0, f * 50);
                writer.writeToSequence(new IIOImage(frame, null, null), param);
            }
            writer.endWriteSequence();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            writer.dispose();
        }
        return bytes.toByteArray();
    }

    private static byte[] write(String format, IIOImage image, java.util.function.Consumer<ImageWriteParam> tune) {
        ImageWriter writer = ImageIO.getImageWritersByFormatName(format).next();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ImageOutputStream out = ImageIO.createImageOutputStream(bytes)) {
            writer.setOutput(out);
            ImageWriteParam param = writer.getDefaultWriteParam();
            tune.accept(param);
            writer.write(null, image, param);
        } catch (IOException e) {
            throw new UncheckedIOException(format + " seed: " + e.getMessage(), e);
        } finally {
            writer.dispose();
        }
        return bytes.toByteArray();
    }

    /** Inserts the Adobe APP14 marker (version 100, flags 0, the given transform) right after SOI. */
    private static byte[] adobe(byte[] jpeg, int transform) {
        byte[] app14 = {(byte) 0xFF, (byte) 0xEE, 0, 14, 'A', 'd', 'o', 'b', 'e', 0, 100, 0, 0, 0, 0, (byte) transform};
        byte[] out = new byte[jpeg.length + app14.length];
        System.arraycopy(jpeg, 0, out, 0, 2);
        System.arraycopy(app14, 0, out, 2, app14.length);
        System.arraycopy(jpeg, 2, out, 2 + app14.length, jpeg.length - 2);
        return out;
    }
}
