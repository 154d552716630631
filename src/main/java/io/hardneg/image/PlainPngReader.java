package io.hardneg.image;

import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Reads the PNG that nearly every record is — 8-bit gray, not interlaced, chunks IHDR, IDAT… and IEND only, every
 * CRC right — into a reused per-thread pixel buffer, with a reused {@link Inflater}.
 *
 * <p>ImageIO spends most of a 28×28 PNG's decode time building streams and buffers
 * (docs/decisions/0006-decoding-plain-png-reader-and-imageio-in-memory.md). Anything this reader does not fully
 * understand makes it return false without writing, and the caller decodes with ImageIO as before: so errors,
 * their codes and every other format keep ImageIO's behaviour, and the pixels this reader produces are the ones
 * ImageIO would (a test holds both to the same floats).
 * Thread-safe: the reused state is per thread.
 */
final class PlainPngReader {

    private static final int IHDR = 0x49484452;
    private static final int IDAT = 0x49444154;
    private static final int IEND = 0x49454E44;

    /** A thread's inflater, CRC and pixel rows (filter byte + width, per row). */
    private static final class State {
        final Inflater inflater = new Inflater();
        final CRC32 crc = new CRC32();
        final byte[] extra = new byte[1];
        byte[] rows = new byte[0];
    }

    private static final ThreadLocal<State> STATE = ThreadLocal.withInitial(State::new);

    private PlainPngReader() {
    }

    /** Above this many pixels the reader declines (ImageIO decodes it): the per-thread buffer stays small. */
    static final int MAX_PIXELS = 1 << 22;

    /**
     * The gray levels of a plain PNG, row y at {@code rows[y * (width + 1) + 1 ..]}; valid until the thread's next
     * call.
     */
    record Pixels(int width, int height, byte[] rows) {

        int level(int y, int x) {
            return rows[y * (width + 1) + 1 + x] & 0xFF;
        }
    }

    /**
     * The pixels, or null when the bytes are not such a PNG (or it has more than {@code maxPixels} or
     * {@link #MAX_PIXELS} pixels): the caller then decodes with ImageIO.
     */
    static Pixels inflate(byte[] png, long maxPixels) {
        if (png.length < 8 + 25 + 12 || readInt(png, 8) != 13 || readInt(png, 12) != IHDR) {
            return null;
        }
        long width = readInt(png, 16) & 0xFFFFFFFFL;
        long height = readInt(png, 20) & 0xFFFFFFFFL;
        // Divide, never multiply: two unsigned 32-bit sizes overflow a long (0xA8A6BAE0 × 0xC59BA51F < 0) and would
        // pass the limit, then allocate a buffer sized by the wrapped product.
        if (width == 0 || height == 0 || width > Math.min(maxPixels, MAX_PIXELS) / height) {
            return null;
        }
        return inflate(png, (int) width, (int) height);
    }

    private static Pixels inflate(byte[] png, int width, int height) {
        State s = STATE.get();
        int stride = width + 1;
        int need = stride * height;
        if (s.rows.length < need) {
            s.rows = new byte[need];
        }
        byte[] rows = s.rows;
        Inflater inflater = s.inflater;
        inflater.reset();
        int pos = 8;
        int produced = 0;
        boolean header = false;
        boolean ended = false;
        try {
            while (!ended) {
                if (pos + 12 > png.length) {
                    return null;
                }
                int length = readInt(png, pos);
                int type = readInt(png, pos + 4);
                if (length < 0 || length > png.length - pos - 12) {
                    return null;
                }
                int data = pos + 8;
                s.crc.reset();
                s.crc.update(png, pos + 4, length + 4);
                if ((int) s.crc.getValue() != readInt(png, data + length)) {
                    return null;
                }
                if (!header) {
                    // IHDR: bit depth 8, colour type 0 (gray), compression 0, filter 0, no interlace.
                    if (type != IHDR || length != 13 || png[data + 8] != 8 || png[data + 9] != 0
                            || png[data + 10] != 0 || png[data + 11] != 0 || png[data + 12] != 0) {
                        return null;
                    }
                    header = true;
                } else if (type == IDAT) {
                    if (inflater.finished()) {
                        return null;
                    }
                    inflater.setInput(png, data, length);
                    while (!inflater.needsInput() && !inflater.finished()) {
                        int n;
                        if (produced < need) {
                            n = inflater.inflate(rows, produced, need - produced);
                        } else {
                            // All pixels are in; what is left may only be the stream's end and checksum.
                            n = inflater.inflate(s.extra, 0, 1);
                            if (n > 0) {
                                return null;
                            }
                        }
                        if (n == 0 && !inflater.needsInput() && !inflater.finished()) {
                            return null; // a preset dictionary, which PNG forbids
                        }
                        produced += n;
                    }
                } else if (type == IEND) {
                    ended = true;
                } else {
                    return null;
                }
                pos = data + length + 4;
            }
        } catch (DataFormatException e) {
            return null;
        }
        if (!inflater.finished() || produced != need || inflater.getRemaining() != 0 || pos != png.length) {
            return null;
        }
        return unfilter(rows, width, height) ? new Pixels(width, height, rows) : null;
    }

    /** Undoes PNG's per-row filters in place (one byte per pixel); false on an unknown filter type. */
    private static boolean unfilter(byte[] rows, int width, int height) {
        int stride = width + 1;
        for (int y = 0; y < height; y++) {
            int row = y * stride + 1;
            int up = row - stride; // valid only when y > 0
            switch (rows[row - 1]) {
                case 0 -> {
                }
                case 1 -> {
                    for (int x = 1; x < width; x++) {
                        rows[row + x] += rows[row + x - 1];
                    }
                }
                case 2 -> {
                    if (y > 0) {
                        for (int x = 0; x < width; x++) {
                            rows[row + x] += rows[up + x];
                        }
                    }
                }
                case 3 -> {
                    for (int x = 0; x < width; x++) {
                        int left = x > 0 ? rows[row + x - 1] & 0xFF : 0;
                        int above = y > 0 ? rows[up + x] & 0xFF : 0;
                        rows[row + x] += (byte) ((left + above) >>> 1);
                    }
                }
                case 4 -> {
                    for (int x = 0; x < width; x++) {
                        int a = x > 0 ? rows[row + x - 1] & 0xFF : 0;
                        int b = y > 0 ? rows[up + x] & 0xFF : 0;
                        int c = x > 0 && y > 0 ? rows[up + x - 1] & 0xFF : 0;
                        rows[row + x] += (byte) paeth(a, b, c);
                    }
                }
                default -> {
                    return false;
                }
            }
        }
        return true;
    }

    private static int paeth(int a, int b, int c) {
        int p = a + b - c;
        int pa = Math.abs(p - a);
        int pb = Math.abs(p - b);
        int pc = Math.abs(p - c);
        if (pa <= pb && pa <= pc) {
            return a;
        }
        return pb <= pc ? b : c;
    }

    private static int readInt(byte[] b, int i) {
        return (b[i] & 0xFF) << 24 | (b[i + 1] & 0xFF) << 16 | (b[i + 2] & 0xFF) << 8 | (b[i + 3] & 0xFF);
    }
}
