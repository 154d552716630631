package io.hardneg.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.hardneg.data.FashionMnist;
import io.hardneg.data.LabeledImages;
import io.hardneg.data.PngEncoder;
import io.hardneg.error.InvalidInputException;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;

/** The plain-PNG reader must give ImageIO's floats for what it takes, and leave everything else to ImageIO. */
class PlainPngReaderTest {

    private static final InputSpec GRAY28 = InputSpec.gray(28, 28, 0.2860f, 0.3530f);
    private static final InputSpec RGB28 = new InputSpec(3, 28, 28, new float[] {0.1f, 0.5f, 0.9f},
            new float[] {0.3f, 0.6f, 0.2f});

    @Test
    void shouldTakeEveryBundledImageAndMatchImageIoBitForBit() throws Exception {
        LabeledImages split = FashionMnist.bundled();
        ImageDecoder fast = new ImageDecoder(GRAY28, DecodeLimits.defaults());
        ImageDecoder imageIo = new ImageDecoder(GRAY28, DecodeLimits.defaults(), false);
        for (int i = 0; i < split.count(); i++) {
            byte[] png = PngEncoder.gray(split.image(i), 28, 28);
            assertThat(PlainPngReader.inflate(png, Long.MAX_VALUE)).as("image %d takes the plain path", i).isNotNull();
            assertSameFloats(fast.decode(png), imageIo.decode(png), "image " + i);
        }
    }

    @Test
    void shouldUndoEveryFilterTypeAndReadSplitIdatChunks() throws Exception {
        // Given images whose rows make ImageIO's writer pick each of the five filters, and the same PNGs with
        // their compressed data spread over several IDAT chunks
        Random rnd = new Random(3);
        int[] filtersSeen = new int[5];
        for (int n = 0; n < 60; n++) {
            int w = 28;
            int h = 28;
            byte[] px = new byte[w * h];
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int v = switch (n % 4) {
                        case 0 -> rnd.nextInt(256);
                        case 1 -> x * 9 + y * (n % 7);
                        case 2 -> (x * y + n) % 256;
                        default -> y % 3 == 0 ? rnd.nextInt(256) : x * 5 + y;
                    };
                    px[y * w + x] = (byte) v;
                }
            }
            // ImageIO's writer never filters gray rows; producers' encoders (libpng, PIL) do, row by row
            byte[] png = n % 3 == 0 ? PngEncoder.gray(px, h, w) : filteredPng(px, w, h, n);
            filters(png, filtersSeen);
            for (byte[] variant : List.of(png, splitIdat(png, 1 + n % 5), splitIdat(png, 97))) {
                for (InputSpec spec : List.of(GRAY28, RGB28)) {
                    ImageDecoder fast = new ImageDecoder(spec, DecodeLimits.defaults());
                    ImageDecoder imageIo = new ImageDecoder(spec, DecodeLimits.defaults(), false);
                    assertThat(PlainPngReader.inflate(variant, Long.MAX_VALUE)).isNotNull();
                    assertSameFloats(fast.decode(variant), imageIo.decode(variant), "image " + n);
                }
            }
        }
        assertThat(Arrays.stream(filtersSeen).min().orElse(0)).as("rows of the rarest filter type, of %s", Arrays.toString(filtersSeen)).isGreaterThan(0);
    }

    @Test
    void shouldLeaveAnythingElseToImageIoWithTheSameResultOrError() throws Exception {
        byte[] good = PngEncoder.gray(ramp(28, 28), 28, 28);
        byte[] badCrc = good.clone();
        badCrc[badCrc.length - 20] ^= 1; // inside IDAT
        byte[] trailing = Arrays.copyOf(good, good.length + 3);
        byte[] truncated = Arrays.copyOf(good, good.length - 13);
        List<byte[]> others = List.of(badCrc, trailing, truncated,
                Corpus.load("gray16.png"), Corpus.load("rgba.png"), Corpus.load("palette-transparent.png"),
                Corpus.load("corrupt-idat.png"), Corpus.load("truncated.png"), Corpus.load("zero-size.png"),
                Corpus.load("bomb-50000x50000.png"));
        ImageDecoder fast = new ImageDecoder(GRAY28, DecodeLimits.defaults());
        ImageDecoder imageIo = new ImageDecoder(GRAY28, DecodeLimits.defaults(), false);
        for (int i = 0; i < others.size(); i++) {
            byte[] png = others.get(i);
            // Then the plain reader declines it
            assertThat(PlainPngReader.inflate(png, Long.MAX_VALUE)).as("case %d", i).isNull();
            // And the decoder answers exactly as ImageIO alone does
            InvalidInputException a = catchThrowableOfType(InvalidInputException.class, () -> fast.decode(png));
            InvalidInputException b = catchThrowableOfType(InvalidInputException.class, () -> imageIo.decode(png));
            if (b == null) {
                assertThat(a).as("case %d", i).isNull();
                assertSameFloats(fast.decode(png), imageIo.decode(png), "case " + i);
            } else {
                assertThat(a).as("case %d", i).isNotNull();
                assertThat(a.code()).as("case %d", i).isEqualTo(b.code());
                assertThat(a.getMessage()).isEqualTo(b.getMessage());
            }
        }
        // A pixel limit below the image's size is ImageIO's to report, too
        assertThat(PlainPngReader.inflate(good, 783)).isNull();
        assertThat(PlainPngReader.inflate(good, 784)).isNotNull();
    }

    @Test
    void shouldResizeAPlainGrayPngExactlyAsTheGeneralPathDoes() throws Exception {
        // Given gray PNGs smaller, larger and of another aspect than the models' inputs
        Random rnd = new Random(8);
        InputSpec rgb112 = new InputSpec(3, 112, 112, new float[] {0.485f, 0.456f, 0.406f},
                new float[] {0.229f, 0.224f, 0.225f});
        for (int[] size : new int[][] {{28, 28}, {17, 20}, {40, 60}, {112, 112}, {9, 300}}) {
            int h = size[0];
            int w = size[1];
            byte[] px = new byte[w * h];
            rnd.nextBytes(px);
            for (byte[] png : List.of(PngEncoder.gray(px, h, w), filteredPng(px, w, h, h))) {
                assertThat(PlainPngReader.inflate(png, Long.MAX_VALUE)).isNotNull();
                for (InputSpec spec : List.of(GRAY28, RGB28, rgb112)) {
                    // When decoded by the plain path and by ImageIO + the general converter and resizer
                    float[] fast = new ImageDecoder(spec, DecodeLimits.defaults()).decode(png);
                    float[] general = new ImageDecoder(spec, DecodeLimits.defaults(), false).decode(png);
                    // Then the floats are the same, bit for bit
                    assertSameFloats(fast, general, h + "x" + w + " into " + spec.channels() + "x" + spec.height());
                }
            }
        }
    }

    private static byte[] ramp(int w, int h) {
        byte[] px = new byte[w * h];
        for (int i = 0; i < px.length; i++) {
            px[i] = (byte) (i * 7);
        }
        return px;
    }

    private static void assertSameFloats(float[] a, float[] b, String what) {
        assertThat(a.length).isEqualTo(b.length);
        for (int i = 0; i < a.length; i++) {
            if (Float.floatToRawIntBits(a[i]) != Float.floatToRawIntBits(b[i])) {
                throw new AssertionError(what + ": float " + i + " is " + a[i] + ", ImageIO gives " + b[i]);
            }
        }
    }

    /** Counts the filter byte of each row, by inflating the IDAT data. */
    private static void filters(byte[] png, int[] seen) throws Exception {
        ByteArrayOutputStream idat = new ByteArrayOutputStream();
        for (int pos = 8; pos < png.length; ) {
            int len = readInt(png, pos);
            if (readInt(png, pos + 4) == 0x49444154) {
                idat.write(png, pos + 8, len);
            }
            pos += len + 12;
        }
        java.util.zip.Inflater inf = new java.util.zip.Inflater();
        inf.setInput(idat.toByteArray());
        byte[] raw = new byte[29 * 28];
        assertThat(inf.inflate(raw)).isEqualTo(raw.length);
        for (int y = 0; y < 28; y++) {
            seen[raw[y * 29]]++;
        }
    }

    /** A gray PNG whose row y uses filter (y + shift) % 5, as an adaptive encoder would mix them. */
    private static byte[] filteredPng(byte[] px, int w, int h, int shift) throws Exception {
        byte[] raw = new byte[h * (w + 1)];
        for (int y = 0; y < h; y++) {
            int f = (y + shift) % 5;
            raw[y * (w + 1)] = (byte) f;
            for (int x = 0; x < w; x++) {
                int v = px[y * w + x] & 0xFF;
                int a = x > 0 ? px[y * w + x - 1] & 0xFF : 0;
                int b = y > 0 ? px[(y - 1) * w + x] & 0xFF : 0;
                int c = x > 0 && y > 0 ? px[(y - 1) * w + x - 1] & 0xFF : 0;
                int pred = switch (f) {
                    case 0 -> 0;
                    case 1 -> a;
                    case 2 -> b;
                    case 3 -> (a + b) / 2;
                    default -> {
                        int p = a + b - c;
                        int pa = Math.abs(p - a);
                        int pb = Math.abs(p - b);
                        int pc = Math.abs(p - c);
                        yield pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
                    }
                };
                raw[y * (w + 1) + 1 + x] = (byte) (v - pred);
            }
        }
        java.util.zip.Deflater deflater = new java.util.zip.Deflater();
        deflater.setInput(raw);
        deflater.finish();
        byte[] buf = new byte[raw.length * 2 + 64];
        int z = deflater.deflate(buf);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        ByteArrayOutputStream ihdr = new ByteArrayOutputStream();
        writeInt(ihdr, w);
        writeInt(ihdr, h);
        ihdr.write(new byte[] {8, 0, 0, 0, 0});
        chunk(out, "IHDR", ihdr.toByteArray());
        chunk(out, "IDAT", Arrays.copyOf(buf, z));
        chunk(out, "IEND", new byte[0]);
        return out.toByteArray();
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
        byte[] body = new byte[4 + data.length];
        System.arraycopy(type.getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0, body, 0, 4);
        System.arraycopy(data, 0, body, 4, data.length);
        CRC32 crc = new CRC32();
        crc.update(body);
        writeInt(out, data.length);
        out.write(body, 0, body.length);
        writeInt(out, (int) crc.getValue());
    }

    /** The same PNG with its IDAT data cut into chunks of at most {@code size} bytes, CRCs recomputed. */
    private static byte[] splitIdat(byte[] png, int size) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(png, 0, 8);
        for (int pos = 8; pos < png.length; ) {
            int len = readInt(png, pos);
            int type = readInt(png, pos + 4);
            if (type != 0x49444154) {
                out.write(png, pos, len + 12);
            } else {
                for (int off = 0; off < len; off += size) {
                    int n = Math.min(size, len - off);
                    byte[] chunk = new byte[n + 4];
                    System.arraycopy(png, pos + 4, chunk, 0, 4);
                    System.arraycopy(png, pos + 8 + off, chunk, 4, n);
                    CRC32 crc = new CRC32();
                    crc.update(chunk);
                    writeInt(out, n);
                    out.write(chunk, 0, chunk.length);
                    writeInt(out, (int) crc.getValue());
                }
            }
            pos += len + 12;
        }
        return out.toByteArray();
    }

    private static int readInt(byte[] b, int i) {
        return (b[i] & 0xFF) << 24 | (b[i + 1] & 0xFF) << 16 | (b[i + 2] & 0xFF) << 8 | (b[i + 3] & 0xFF);
    }

    private static void writeInt(ByteArrayOutputStream out, int v) {
        out.write(v >>> 24);
        out.write(v >>> 16);
        out.write(v >>> 8);
        out.write(v);
    }
}
