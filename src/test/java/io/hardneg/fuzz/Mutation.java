package io.hardneg.fuzz;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * One change to an image's bytes. Positions and lengths are taken modulo the bytes at hand, so any mutation applies
 * to any input and jqwik can shrink the numbers freely.
 *
 * @param kind what to do
 * @param a    a position, a count or a field value, depending on the kind
 * @param b    a second one
 * @param c    a third one (for header edits: 1 = recompute the PNG chunk's CRC so the edit passes the CRC check)
 */
public record Mutation(Kind kind, int a, int b, int c) {

    /** The mutation kinds, from blind byte damage to edits of a format's header fields. */
    public enum Kind {
        /** Keep only the first a bytes (a ≥ 1 and less than the length). */
        TRUNCATE,
        /** Flip b + 1 (at most 8) bits starting at byte a. */
        FLIP_BITS,
        /** Set byte a to one of the values decoders trip on (0x00, 0xFF, 0x7F, 0x80) or to b. */
        SET_BYTE,
        /** Width and height from the interesting values (0, 1, 65,535, 2^31 − 1, …) in the format's header. */
        DIMENSIONS,
        /** A header field other than the size: PNG bit depth, colour type, interlace…; BMP bits, compression. */
        HEADER_FIELD,
        /** Remove b % 64 + 1 bytes at a. */
        DELETE,
        /** Copy b % 256 + 1 bytes from a to c (a chunk or segment repeated or spliced in the middle). */
        SPLICE,
        /** Append b % 4096 bytes of a pattern after the end (trailing garbage, a second image's worth). */
        APPEND
    }

    /** Dimension values decoders are known to get wrong. */
    static final long[] SIZES = {0, 1, 2, 255, 256, 1023, 1024, 1025, 4095, 4096, 32767, 32768, 65535, 65536,
        1L << 20, (1L << 24) + 1, Integer.MAX_VALUE, 0x80000000L, 0xFFFFFFFFL};

    /** The mutated copy; the input is not changed. */
    public byte[] apply(String format, byte[] in) {
        if (in.length == 0) {
            return in;
        }
        byte[] b = in.clone();
        int at = Math.floorMod(a, b.length);
        switch (kind) {
            case TRUNCATE -> {
                return b.length < 2 ? b : Arrays.copyOf(b, 1 + Math.floorMod(a, b.length - 1));
            }
            case FLIP_BITS -> {
                int bits = Math.floorMod(this.b, 8) + 1;
                for (int i = 0; i < bits; i++) {
                    int bit = Math.floorMod(a * 8 + i * 13, b.length * 8);
                    b[bit / 8] ^= (byte) (1 << (bit % 8));
                }
                return b;
            }
            case SET_BYTE -> {
                int[] values = {0x00, 0xFF, 0x7F, 0x80, this.b};
                b[at] = (byte) values[Math.floorMod(c, values.length)];
                return b;
            }
            case DIMENSIONS -> {
                return Headers.setSize(format, b, SIZES[Math.floorMod(a, SIZES.length)],
                        SIZES[Math.floorMod(this.b, SIZES.length)], c % 2 == 1);
            }
            case HEADER_FIELD -> {
                return Headers.setField(format, b, a, this.b, c % 2 == 1);
            }
            case DELETE -> {
                int n = Math.min(Math.floorMod(this.b, 64) + 1, b.length - at);
                byte[] out = new byte[b.length - n];
                System.arraycopy(b, 0, out, 0, at);
                System.arraycopy(b, at + n, out, at, b.length - at - n);
                return out;
            }
            case SPLICE -> {
                int n = Math.min(Math.floorMod(this.b, 256) + 1, b.length - at);
                int to = Math.floorMod(c, b.length);
                byte[] out = new byte[b.length + n];
                System.arraycopy(b, 0, out, 0, to);
                System.arraycopy(b, at, out, to, n);
                System.arraycopy(b, to, out, to + n, b.length - to);
                return out;
            }
            case APPEND -> {
                int n = Math.floorMod(this.b, 4096);
                byte[] out = Arrays.copyOf(b, b.length + n);
                for (int i = 0; i < n; i++) {
                    out[b.length + i] = (byte) (i * 31 + a);
                }
                return out;
            }
            default -> throw new IllegalStateException("unknown mutation " + kind);
        }
    }

    /** Where each format keeps its size and other header fields. */
    static final class Headers {

        private Headers() {
        }

        static byte[] setSize(String format, byte[] b, long w, long h, boolean fixCrc) {
            switch (format) {
                case "png" -> {
                    if (b.length >= 24) {
                        ByteBuffer.wrap(b).putInt(16, (int) w).putInt(20, (int) h);
                        if (fixCrc) {
                            PngWriter.fixCrc(b, 8);
                        }
                    }
                }
                case "jpeg" -> {
                    int sof = jpegSof(b);
                    if (sof >= 0 && sof + 9 <= b.length) {
                        ByteBuffer.wrap(b).putShort(sof + 5, (short) h).putShort(sof + 7, (short) w);
                    }
                }
                case "gif" -> {
                    ByteBuffer le = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
                    int image = gifImageDescriptor(b);
                    // fixCrc has no meaning for GIF: use it to choose the frame's size or the logical screen's.
                    if (fixCrc && image >= 0 && image + 9 <= b.length) {
                        le.putShort(image + 5, (short) w).putShort(image + 7, (short) h);
                    } else if (b.length >= 10) {
                        le.putShort(6, (short) w).putShort(8, (short) h);
                    }
                }
                case "bmp" -> {
                    if (b.length >= 26) {
                        // Height may be negative (top-down): the interesting values include 0x80000000 and -1.
                        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(18, (int) w).putInt(22, (int) h);
                    }
                }
                default -> throw new IllegalArgumentException("format " + format);
            }
            return b;
        }

        static byte[] setField(String format, byte[] b, int which, int value, boolean fixCrc) {
            switch (format) {
                case "png" -> {
                    // 24 bit depth, 25 colour type, 26 compression, 27 filter, 28 interlace.
                    int[] depths = {1, 2, 4, 8, 16, 0, 3, 255};
                    int[] types = {0, 2, 3, 4, 6, 1, 5, 7};
                    int field = 24 + Math.floorMod(which, 5);
                    if (b.length > field) {
                        b[field] = (byte) switch (field) {
                            case 24 -> depths[Math.floorMod(value, depths.length)];
                            case 25 -> types[Math.floorMod(value, types.length)];
                            default -> Math.floorMod(value, 3);
                        };
                        if (fixCrc) {
                            PngWriter.fixCrc(b, 8);
                        }
                    }
                }
                case "jpeg" -> {
                    // SOF: precision, component count, then per component id, sampling factors, table.
                    int sof = jpegSof(b);
                    int[] offsets = {4, 9, 11, 12, 14, 15};
                    int field = sof < 0 ? -1 : sof + offsets[Math.floorMod(which, offsets.length)];
                    if (field >= 0 && field < b.length) {
                        int[] values = {0, 1, 2, 3, 4, 5, 8, 12, 16, 0x11, 0x22, 0x44, 0xFF};
                        b[field] = (byte) values[Math.floorMod(value, values.length)];
                    }
                }
                case "gif" -> {
                    // 10: global colour table flag and size; image descriptor packed byte: local table, interlace.
                    int image = gifImageDescriptor(b);
                    int field = Math.floorMod(which, 2) == 0 || image < 0 ? 10 : image + 9;
                    if (field < b.length) {
                        b[field] = (byte) value;
                    }
                }
                case "bmp" -> {
                    // 14 DIB size, 26 planes, 28 bits per pixel, 30 compression, 46 colours used.
                    int[] fields = {14, 26, 28, 30, 46};
                    int[][] values = {{12, 40, 56, 108, 124, 0, 7, 1 << 30}, {0, 1, 2}, {0, 1, 2, 4, 8, 16, 24, 32, 64},
                        {0, 1, 2, 3, 4, 5, 6, 99}, {0, 1, 256, 257, 1 << 16, -1}};
                    int k = Math.floorMod(which, fields.length);
                    int v = values[k][Math.floorMod(value, values[k].length)];
                    ByteBuffer le = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
                    if (k == 1 || k == 2) {
                        if (fields[k] + 2 <= b.length) {
                            le.putShort(fields[k], (short) v);
                        }
                    } else if (fields[k] + 4 <= b.length) {
                        le.putInt(fields[k], v);
                    }
                }
                default -> throw new IllegalArgumentException("format " + format);
            }
            return b;
        }

        /** The position of the first SOFn marker (FF C0..CF but C4, C8, CC), or -1. */
        static int jpegSof(byte[] b) {
            int i = 2;
            while (i + 4 <= b.length && (b[i] & 0xFF) == 0xFF) {
                int marker = b[i + 1] & 0xFF;
                if (marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC) {
                    return i;
                }
                if (marker == 0xDA || marker == 0xD9) {
                    return -1;
                }
                i += 2 + ((b[i + 2] & 0xFF) << 8 | (b[i + 3] & 0xFF));
            }
            return -1;
        }

        /** The position of the first image descriptor (0x2C) after the header, global table and extensions. */
        static int gifImageDescriptor(byte[] b) {
            if (b.length < 13) {
                return -1;
            }
            int i = 13 + ((b[10] & 0x80) != 0 ? 3 * (2 << (b[10] & 7)) : 0);
            while (i < b.length) {
                int block = b[i] & 0xFF;
                if (block == 0x2C) {
                    return i;
                }
                if (block != 0x21 || i + 2 >= b.length) {
                    return -1;
                }
                i += 2;
                while (i < b.length && (b[i] & 0xFF) != 0) {
                    i += 1 + (b[i] & 0xFF);
                }
                i++;
            }
            return -1;
        }
    }
}
