package io.hardneg.image;

import io.hardneg.error.ErrorCode;
import io.hardneg.error.InvalidInputException;

import java.nio.charset.StandardCharsets;

/** Recognises the accepted image formats by their magic bytes, never by a content-type header. */
final class FormatSniffer {

    static final String PNG = "png";
    static final String JPEG = "jpeg";
    static final String BMP = "bmp";
    static final String GIF = "gif";

    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};

    private FormatSniffer() {
    }

    static String sniff(byte[] bytes) throws InvalidInputException {
        if (bytes == null || bytes.length == 0) {
            throw new InvalidInputException(ErrorCode.EMPTY, "record has no bytes, expected an image");
        }
        if (startsWith(bytes, PNG_SIGNATURE)) {
            return PNG;
        }
        if (bytes.length >= 3 && u8(bytes, 0) == 0xFF && u8(bytes, 1) == 0xD8 && u8(bytes, 2) == 0xFF) {
            return JPEG;
        }
        if (startsWith(bytes, ascii("GIF87a")) || startsWith(bytes, ascii("GIF89a"))) {
            return GIF;
        }
        if (isBmp(bytes)) {
            return BMP;
        }
        throw new InvalidInputException(ErrorCode.UNSUPPORTED_FORMAT,
                "unsupported image format: expected png, jpeg, bmp or gif, found " + describe(bytes));
    }

    /**
     * "BM" alone is two bytes of text, so also require a known DIB header size: a text record starting with
     * "BM" is then refused as unsupported rather than reported as an undecodable BMP.
     */
    private static boolean isBmp(byte[] b) {
        if (b.length < 18 || b[0] != 'B' || b[1] != 'M') {
            return false;
        }
        int dibSize = u8(b, 14) | u8(b, 15) << 8 | u8(b, 16) << 16 | u8(b, 17) << 24;
        return dibSize == 12 || dibSize == 40 || dibSize == 52 || dibSize == 56 || dibSize == 64
                || dibSize == 108 || dibSize == 124;
    }

    /** Names the formats people actually send by mistake; otherwise shows the first bytes. */
    private static String describe(byte[] b) {
        if (startsWith(b, new byte[] {'I', 'I', '*', 0}) || startsWith(b, new byte[] {'M', 'M', 0, '*'})) {
            return "TIFF (refused on purpose although the JDK can read it)";
        }
        if (b.length >= 12 && startsWith(b, ascii("RIFF")) && b[8] == 'W' && b[9] == 'E' && b[10] == 'B' && b[11] == 'P') {
            return "WebP";
        }
        if (b.length >= 12 && b[4] == 'f' && b[5] == 't' && b[6] == 'y' && b[7] == 'p') {
            return "an ISO media file (HEIC/AVIF/MP4)";
        }
        if (startsWith(b, ascii("%PDF"))) {
            return "PDF";
        }
        StringBuilder hex = new StringBuilder();
        for (int i = 0; i < Math.min(8, b.length); i++) {
            hex.append(String.format("%02x ", b[i]));
        }
        return "first bytes " + hex.toString().trim() + " (" + b.length + " bytes)";
    }

    private static boolean startsWith(byte[] b, byte[] prefix) {
        if (b.length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (b[i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    static int u8(byte[] b, int i) {
        return b[i] & 0xFF;
    }
}
