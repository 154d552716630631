package io.hardneg.image;

import io.hardneg.error.ErrorCode;
import io.hardneg.error.InvalidInputException;

import javax.imageio.IIOException;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.event.IIOReadWarningListener;
import javax.imageio.spi.ImageReaderSpi;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;

/**
 * Runs one ImageIO reader over one record: size checks from the header first, then the pixels, with every
 * failure mapped to an {@link ErrorCode}.
 *
 * <p>ImageReaders are not thread-safe, so each call creates its own from a provider looked up once, and disposes
 * of it. GIF: only the first frame (index 0) is read.
 */
final class ImageReading {

    private static final Map<String, ImageReaderSpi> PROVIDERS = Map.of(
            FormatSniffer.PNG, provider(FormatSniffer.PNG),
            FormatSniffer.JPEG, provider(FormatSniffer.JPEG),
            FormatSniffer.BMP, provider(FormatSniffer.BMP),
            FormatSniffer.GIF, provider(FormatSniffer.GIF));

    private ImageReading() {
    }

    static DecodedImage read(String format, byte[] bytes, DecodeLimits limits) throws InvalidInputException {
        if (FormatSniffer.PNG.equals(format)) {
            // The JDK's PNG reader fails a 0×0 IHDR with a vague "I/O error reading PNG header", so read it first.
            checkPngHeader(bytes, limits);
        }
        if (FormatSniffer.BMP.equals(format)) {
            checkBmpCompression(bytes);
        }
        if (FormatSniffer.GIF.equals(format)) {
            checkGifFirstFrame(bytes);
        }
        ImageReader reader = newReader(format);
        TruncationWatch watch = new TruncationWatch();
        reader.addIIOReadWarningListener(watch);
        try (ImageInputStream in = stream(bytes)) {
            reader.setInput(in, true, false);
            checkSize(format, header(format, reader), limits);
            BufferedImage image = reader.read(0);
            if (watch.truncated != null) {
                throw new InvalidInputException(ErrorCode.TRUNCATED,
                        format + " data is truncated: " + watch.truncated);
            }
            return DecodedImage.of(image);
        } catch (IIOException e) {
            if (FormatSniffer.JPEG.equals(format) && messages(e).contains("unsupported image type")) {
                return readCmykJpeg(bytes);
            }
            throw failure(format, "pixel data", e);
        } catch (IOException | RuntimeException e) {
            throw failure(format, "pixel data", e);
        } finally {
            reader.dispose();
        }
    }

    /** Width and height from the header only: the pixels are not decoded yet. */
    private static long[] header(String format, ImageReader reader) throws InvalidInputException {
        try {
            return new long[] {reader.getWidth(0), reader.getHeight(0)};
        } catch (IOException | RuntimeException e) {
            throw failure(format, "header", e);
        }
    }

    private static void checkSize(String format, long[] size, DecodeLimits limits) throws InvalidInputException {
        long w = size[0];
        long h = size[1];
        if (w <= 0 || h <= 0) {
            throw new InvalidInputException(ErrorCode.EMPTY_IMAGE,
                    format + " header says the image is " + w + "×" + h + ", expected at least 1×1");
        }
        // Divide, never multiply: a PNG's unsigned 32-bit sizes overflow a long and the product would pass.
        if (w > limits.maxPixels() / h) {
            String product = Math.multiplyHigh(w, h) == 0 && w * h >= 0 ? pixels(w * h)
                    : String.format(Locale.ROOT, "%.2g", (double) w * h).replace("e+", "e");
            throw new InvalidInputException(ErrorCode.TOO_MANY_PIXELS, "image is " + w + "×" + h + " = "
                    + product + " pixels, limit is " + limits.maxPixels());
        }
    }

    /**
     * A BMP may wrap a whole JPEG or PNG (compression 4 or 5, meant for printers): refused on purpose, like TIFF. The
     * JDK's reader of such a BMP can loop forever (JDK 17's {@code BMPImageReader.readEmbedded}; found by
     * HostileInputFuzzTest), which would stall the stream thread.
     */
    private static void checkBmpCompression(byte[] b) throws InvalidInputException {
        // The sniffer has checked 18 bytes; the compression field (little-endian int at 30) needs 34.
        if (b.length < 34) {
            return;
        }
        int compression = b[30] & 0xFF | (b[31] & 0xFF) << 8 | (b[32] & 0xFF) << 16 | (b[33] & 0xFF) << 24;
        if (compression == 4 || compression == 5) {
            throw new InvalidInputException(ErrorCode.UNSUPPORTED_FORMAT, "bmp wraps an embedded "
                    + (compression == 4 ? "JPEG" : "PNG") + " (compression " + compression
                    + "), refused on purpose: send the JPEG or PNG itself");
        }
    }

    /** IHDR is fixed: signature (8), length (4), "IHDR" (4), width (4), height (4), both unsigned big-endian. */
    private static void checkPngHeader(byte[] b, DecodeLimits limits) throws InvalidInputException {
        if (b.length < 24 || b[12] != 'I' || b[13] != 'H' || b[14] != 'D' || b[15] != 'R') {
            throw new InvalidInputException(b.length < 24 ? ErrorCode.TRUNCATED : ErrorCode.UNDECODABLE,
                    "png header is " + (b.length < 24 ? "cut short after " + b.length + " bytes" : "missing IHDR")
                            + ", expected IHDR with width and height right after the signature");
        }
        checkSize(FormatSniffer.PNG, new long[] {u32(b, 16), u32(b, 20)}, limits);
        checkPngChunks(b);
    }

    /**
     * Walks the chunk lengths (no CRC, no inflating) up to IEND: a chunk running past the end of the bytes, or no
     * IEND, means the file was cut. The JDK reports this only as "Invalid chunk length" or a vague read error.
     */
    private static void checkPngChunks(byte[] b) throws InvalidInputException {
        int pos = 8;
        while (pos + 8 <= b.length) {
            long length = u32(b, pos);
            String type = new String(b, pos + 4, 4, java.nio.charset.StandardCharsets.ISO_8859_1);
            if (length > Integer.MAX_VALUE) {
                throw new InvalidInputException(ErrorCode.UNDECODABLE, "png chunk " + type + " at byte " + pos
                        + " claims " + length + " bytes, expected at most " + Integer.MAX_VALUE);
            }
            long end = pos + 12L + length;
            if (end > b.length) {
                throw new InvalidInputException(ErrorCode.TRUNCATED, "png is truncated: chunk " + type + " at byte "
                        + pos + " needs " + (12 + length) + " bytes, only " + (b.length - pos) + " left");
            }
            if ("IEND".equals(type)) {
                return;
            }
            pos = (int) end;
        }
        throw new InvalidInputException(ErrorCode.TRUNCATED,
                "png is truncated: " + b.length + " bytes and no IEND chunk, expected one at the end");
    }

    /**
     * Walks a GIF's blocks (sizes only, no LZW) up to the end of the first frame, the one that is decoded: a block
     * running past the end of the bytes means the file was cut. The JDK reports such a cut only as a vague
     * "Unexpected block type" or "Error reading..." (found by HostileInputFuzzTest). An unknown block byte is left to
     * the JDK's reader to judge.
     */
    private static void checkGifFirstFrame(byte[] b) throws InvalidInputException {
        int pos = 13; // "GIF89a", then the logical screen: width, height, flags, background, aspect
        if (b.length < pos) {
            throw gifCut(b, "the logical screen descriptor", pos);
        }
        if ((b[10] & 0x80) != 0) {
            pos += 3 << ((b[10] & 7) + 1);
        }
        while (true) {
            if (pos >= b.length) {
                throw gifCut(b, "a block before the first frame", pos + 1);
            }
            int block = b[pos] & 0xFF;
            if (block == 0x21) {
                pos = skipSubBlocks(b, pos + 2, "extension");
            } else if (block == 0x2C) {
                int flags = pos + 9;
                if (flags >= b.length) {
                    throw gifCut(b, "the first image descriptor", flags + 1);
                }
                pos = flags + 1 + ((b[flags] & 0x80) != 0 ? 3 << ((b[flags] & 7) + 1) : 0);
                // The LZW minimum code size, then the pixel data's sub-blocks up to their empty terminator.
                skipSubBlocks(b, pos + 1, "first frame's pixel data");
                return;
            } else {
                return;
            }
        }
    }

    /** The position after the sub-blocks starting at {@code pos} and their zero-length terminator. */
    private static int skipSubBlocks(byte[] b, int pos, String what) throws InvalidInputException {
        while (true) {
            if (pos >= b.length) {
                throw gifCut(b, "the " + what, pos + 1);
            }
            int size = b[pos] & 0xFF;
            if (size == 0) {
                return pos + 1;
            }
            pos += 1 + size;
        }
    }

    private static InvalidInputException gifCut(byte[] b, String what, int needed) {
        return new InvalidInputException(ErrorCode.TRUNCATED, "gif is truncated: " + what + " needs at least "
                + needed + " bytes, only " + b.length + " given");
    }

    private static DecodedImage readCmykJpeg(byte[] bytes) throws InvalidInputException {
        ImageReader reader = newReader(FormatSniffer.JPEG);
        try (ImageInputStream in = stream(bytes)) {
            reader.setInput(in, true, true);
            Raster raw = reader.readRaster(0, null);
            if (raw.getNumBands() != 4) {
                throw new InvalidInputException(ErrorCode.UNDECODABLE, "jpeg colour type is unsupported: "
                        + raw.getNumBands() + " components, expected 1, 3 or 4 (CMYK/YCCK)");
            }
            return DecodedImage.ofCmyk(JpegCmyk.toCmyk(raw, JpegCmyk.adobeTransform(bytes)));
        } catch (IOException | RuntimeException e) {
            throw failure(FormatSniffer.JPEG, "CMYK pixel data", e);
        } finally {
            reader.dispose();
        }
    }

    private static InvalidInputException failure(String format, String stage, Throwable e) {
        if (e instanceof InvalidInputException invalid) {
            return invalid;
        }
        String why = describe(e);
        String lower = why.toLowerCase(Locale.ROOT);
        boolean truncated = hasCause(e, EOFException.class) || lower.contains("unexpected end")
                || lower.contains("premature end") || lower.contains("end of stream") || lower.contains("eof");
        return truncated
                ? new InvalidInputException(ErrorCode.TRUNCATED, format + " " + stage + " ends early: " + why, e)
                : new InvalidInputException(ErrorCode.UNDECODABLE, format + " " + stage + " cannot be decoded: " + why, e);
    }

    /** The chain of messages, e.g. "Error reading PNG image data ← EOFException: Unexpected end of ZLIB input". */
    private static String describe(Throwable e) {
        StringBuilder s = new StringBuilder();
        for (Throwable t = e; t != null && s.length() < 400; t = t.getCause()) {
            if (s.length() > 0) {
                s.append(" ← ");
            }
            s.append(t instanceof IIOException ? "" : t.getClass().getSimpleName() + ": ")
                    .append(t.getMessage() == null ? "(no message)" : t.getMessage());
            if (t.getCause() == t) {
                break;
            }
        }
        return s.toString();
    }

    private static String messages(Throwable e) {
        return describe(e).toLowerCase(Locale.ROOT);
    }

    private static boolean hasCause(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    /** libjpeg does not throw on a cut file: it warns and fills the rest with gray, which we refuse. */
    private static final class TruncationWatch implements IIOReadWarningListener {
        volatile String truncated;

        @Override
        public void warningOccurred(ImageReader source, String warning) {
            String w = warning == null ? "" : warning.toLowerCase(Locale.ROOT);
            if (w.contains("premature end") || w.contains("unexpected end") || w.contains("truncated")) {
                truncated = warning;
            }
        }
    }

    private static String pixels(long n) {
        return n < 1_000_000 ? Long.toString(n) : n + " (" + String.format(Locale.ROOT, "%.2g", (double) n)
                .replace("e+0", "e").replace("e+", "e") + ")";
    }

    private static ImageInputStream stream(byte[] bytes) {
        // In memory: the record is already bounded by maxBytes, and a temp-file cache is far slower (see ImageDecoder).
        return new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes));
    }

    private static ImageReader newReader(String format) {
        try {
            return PROVIDERS.get(format).createReaderInstance();
        } catch (IOException e) {
            throw new IllegalStateException("cannot create the JDK's " + format + " reader", e);
        }
    }

    private static ImageReaderSpi provider(String format) {
        Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName(format);
        if (!readers.hasNext()) {
            throw new IllegalStateException("no ImageIO reader for " + format + " in this JDK");
        }
        ImageReader reader = readers.next();
        ImageReaderSpi spi = reader.getOriginatingProvider();
        reader.dispose();
        return spi;
    }

    private static long u32(byte[] b, int i) {
        return (long) (b[i] & 0xFF) << 24 | (b[i + 1] & 0xFF) << 16 | (b[i + 2] & 0xFF) << 8 | (b[i + 3] & 0xFF);
    }
}
