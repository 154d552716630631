package io.hardneg.fuzz;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;

/**
 * Writes PNGs of every colour type, bit depth and interlace method the format allows, which the JDK's writer does
 * not (it never interlaces, never writes gray + alpha, never 1/2/4-bit gray): the fuzzer's seeds need them all.
 */
public final class PngWriter {

    static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    /** Adam7: x0, y0, dx, dy of the seven passes. */
    private static final int[][] ADAM7 = {{0, 0, 8, 8}, {4, 0, 8, 8}, {0, 4, 4, 8}, {2, 0, 4, 4}, {0, 2, 2, 4},
        {1, 0, 2, 2}, {0, 1, 1, 2}};

    private PngWriter() {
    }

    /** Samples per pixel of a colour type: 0 gray, 2 RGB, 3 palette, 4 gray + alpha, 6 RGBA. */
    static int samples(int colourType) {
        return switch (colourType) {
            case 0, 3 -> 1;
            case 2 -> 3;
            case 4 -> 2;
            case 6 -> 4;
            default -> throw new IllegalArgumentException("colour type " + colourType + ", expected 0, 2, 3, 4 or 6");
        };
    }

    /**
     * A valid PNG whose sample s of pixel (x, y) is a deterministic pattern; palette images get a {@code 2^depth}
     * entry PLTE and, with {@code transparency}, a tRNS chunk (gray and RGB images get a transparent colour).
     */
    public static byte[] write(int width, int height, int colourType, int depth, boolean interlaced,
                               boolean transparency) {
        int samples = samples(colourType);
        int max = (1 << depth) - 1;
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        if (interlaced) {
            for (int[] p : ADAM7) {
                int pw = (width - p[0] + p[2] - 1) / p[2];
                int ph = (height - p[1] + p[3] - 1) / p[3];
                if (pw <= 0 || ph <= 0) {
                    continue;
                }
                for (int y = p[1]; y < height; y += p[3]) {
                    row(raw, width, y, p[0], p[2], samples, depth, max);
                }
            }
        } else {
            for (int y = 0; y < height; y++) {
                row(raw, width, y, 0, 1, samples, depth, max);
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(SIGNATURE);
        out.writeBytes(chunk("IHDR", ByteBuffer.allocate(13).putInt(width).putInt(height).put((byte) depth)
                .put((byte) colourType).put((byte) 0).put((byte) 0).put((byte) (interlaced ? 1 : 0)).array()));
        if (colourType == 3) {
            byte[] plte = new byte[3 * (max + 1)];
            for (int i = 0; i < plte.length; i++) {
                plte[i] = (byte) (i * 37);
            }
            out.writeBytes(chunk("PLTE", plte));
            if (transparency) {
                out.writeBytes(chunk("tRNS", new byte[] {0, (byte) 128}));
            }
        } else if (transparency && (colourType == 0 || colourType == 2)) {
            out.writeBytes(chunk("tRNS", new byte[2 * samples]));
        }
        out.writeBytes(chunk("IDAT", deflate(raw.toByteArray())));
        out.writeBytes(chunk("IEND", new byte[0]));
        return out.toByteArray();
    }

    /** One filtered row (filter type y % 5, so all five filters appear) of the pixels x0, x0 + dx, … */
    private static void row(ByteArrayOutputStream raw, int width, int y, int x0, int dx, int samples, int depth,
                            int max) {
        int bitsPerPixel = samples * depth;
        int count = (width - x0 + dx - 1) / dx;
        byte[] line = new byte[(count * bitsPerPixel + 7) / 8];
        int bit = 0;
        for (int x = x0; x < width; x += dx) {
            for (int s = 0; s < samples; s++) {
                int v = ((x * 7 + y * 13 + s * 29) * 2654435 >>> 7) & max;
                if (depth == 16) {
                    line[bit / 8] = (byte) (v >>> 8);
                    line[bit / 8 + 1] = (byte) v;
                } else if (depth == 8) {
                    line[bit / 8] = (byte) v;
                } else {
                    line[bit / 8] |= (byte) (v << (8 - depth - bit % 8));
                }
                bit += depth;
            }
        }
        // Filter type 0 only for the values: the reader must undo any filter, and filtering is what IDAT bit flips
        // scramble; a random filter byte would make most seeds invalid, so the mutators do that instead.
        raw.write(0);
        raw.writeBytes(line);
    }

    static byte[] deflate(byte[] raw) {
        ByteArrayOutputStream z = new ByteArrayOutputStream();
        try (DeflaterOutputStream out = new DeflaterOutputStream(z, new Deflater(6))) {
            out.write(raw);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return z.toByteArray();
    }

    /** length, type, data, CRC over type and data. */
    static byte[] chunk(String type, byte[] data) {
        byte[] name = type.getBytes(StandardCharsets.ISO_8859_1);
        ByteBuffer b = ByteBuffer.allocate(12 + data.length).putInt(data.length).put(name).put(data);
        CRC32 crc = new CRC32();
        crc.update(name);
        crc.update(data);
        return b.putInt((int) crc.getValue()).array();
    }

    /** Recomputes the CRC of the chunk at {@code pos} in place, so a mutated field passes the CRC check. */
    static void fixCrc(byte[] png, int pos) {
        if (pos + 8 > png.length) {
            return;
        }
        long length = ByteBuffer.wrap(png, pos, 4).getInt() & 0xFFFFFFFFL;
        if (pos + 12 + length > png.length) {
            return;
        }
        CRC32 crc = new CRC32();
        crc.update(png, pos + 4, (int) length + 4);
        ByteBuffer.wrap(png).putInt(pos + 8 + (int) length, (int) crc.getValue());
    }
}
