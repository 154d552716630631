package io.hardneg.image;

import io.hardneg.error.ErrorCode;
import io.hardneg.error.InvalidInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.awt.image.BufferedImage;
import java.lang.management.ManagementFactory;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class ImageDecoderTest {

    private static final InputSpec GRAY28 = InputSpec.gray(28, 28, 0.5f, 0.5f);
    private final ImageDecoder decoder = new ImageDecoder(GRAY28, DecodeLimits.defaults());

    private static void assertAllCloseTo(float[] values, float expected, float tolerance) {
        for (int i = 0; i < values.length; i++) {
            assertThat(values[i]).as("value %d", i).isCloseTo(expected, within(tolerance));
        }
    }

    private static float norm(float v) {
        return (v / 255f - 0.5f) / 0.5f;
    }

    @ParameterizedTest(name = "{0} → {1}")
    @CsvSource({
            "empty.bin, EMPTY",
            "random.bin, UNSUPPORTED_FORMAT",
            "text.txt, UNSUPPORTED_FORMAT",
            "image.tiff, UNSUPPORTED_FORMAT",
            "fake.webp, UNSUPPORTED_FORMAT",
            "truncated.png, TRUNCATED",
            "truncated.jpg, TRUNCATED",
            "bomb-50000x50000.png, TOO_MANY_PIXELS",
            "bomb-20000x20000.bmp, TOO_MANY_PIXELS",
            "zero-size.png, EMPTY_IMAGE",
            "corrupt-idat.png, UNDECODABLE",
    })
    void shouldRefuseHostileFileWithItsErrorCode(String file, ErrorCode expected) {
        assertThatThrownBy(() -> decoder.decode(Corpus.load(file)))
                .isInstanceOf(InvalidInputException.class)
                .satisfies(e -> assertThat(((InvalidInputException) e).code()).isEqualTo(expected))
                .hasMessageNotContaining("null");
    }

    @Test
    void shouldRefuseNullAsEmpty() {
        assertThatThrownBy(() -> decoder.decode(null))
                .satisfies(e -> assertThat(((InvalidInputException) e).code()).isEqualTo(ErrorCode.EMPTY));
    }

    @Test
    void shouldRefuseRecordOverByteLimitBeforeParsing() {
        // Given a valid 10 kB PNG and a 1000-byte limit
        ImageDecoder small = new ImageDecoder(GRAY28, new DecodeLimits(1000, 1 << 24));
        // When / Then
        assertThatThrownBy(() -> small.decode(Corpus.load("large-valid.png")))
                .satisfies(e -> assertThat(((InvalidInputException) e).code()).isEqualTo(ErrorCode.TOO_LARGE))
                .hasMessageContaining("limit is 1000");
    }

    @Test
    void shouldCheckByteLimitBeforeSniffing() {
        ImageDecoder small = new ImageDecoder(GRAY28, new DecodeLimits(10, 1 << 24));
        assertThatThrownBy(() -> small.decode(Corpus.load("random.bin")))
                .satisfies(e -> assertThat(((InvalidInputException) e).code()).isEqualTo(ErrorCode.TOO_LARGE));
    }

    @Test
    void shouldNameExpectedAndFoundPixelsWhenRefusingBomb() {
        assertThatThrownBy(() -> decoder.decode(Corpus.load("bomb-50000x50000.png")))
                .hasMessage("image is 50000×50000 = 2500000000 (2.5e9) pixels, limit is 16777216");
    }

    @ParameterizedTest(name = "{0}×{1}")
    @CsvSource({"2829499104, 3315311903", "4294967295, 4294967295", "4294967295, 2"})
    void shouldRefusePngWhosePixelCountOverflowsALongWithoutAllocating(long width, long height) throws Exception {
        // Given an IHDR whose unsigned sizes multiply past Long.MAX_VALUE (found by HostileInputFuzzTest: the
        // wrapped product passed the limit and the plain-PNG reader allocated 770 MB for a 2.5 KB record)
        byte[] png = HostileCorpusGenerator.png((int) width, (int) height, 0, new byte[64]);
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        try {
            decoder.decode(png);
        } catch (InvalidInputException warmUp) {
            // class loading on the refusal path (formatting the message) allocates too
        }
        // When
        InvalidInputException refused = null;
        long before = threads.getCurrentThreadAllocatedBytes();
        try {
            decoder.decode(png);
        } catch (InvalidInputException e) {
            refused = e;
        }
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        // Then
        assertThat(refused).isNotNull();
        assertThat(refused.code()).isEqualTo(ErrorCode.TOO_MANY_PIXELS);
        assertThat(refused).hasMessageContaining(width + "×" + height);
        assertThat(allocated).isLessThan(1L << 20);
    }

    @Test
    @org.junit.jupiter.api.Timeout(value = 20, threadMode = org.junit.jupiter.api.Timeout.ThreadMode.SEPARATE_THREAD)
    void shouldRefuseBmpWrappingAnEmbeddedImageInsteadOfLoopingForever() {
        // Given a mutated RLE4 BMP whose compression field says 5 (embedded PNG), found by HostileInputFuzzTest:
        // the JDK's reader never returned from it
        byte[] bmp = Corpus.load("embedded-png-hang.bmp");
        // When / Then
        assertThatThrownBy(() -> decoder.decode(bmp))
                .isInstanceOfSatisfying(InvalidInputException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.UNSUPPORTED_FORMAT))
                .hasMessageContaining("embedded PNG");
    }

    @Test
    void shouldRefuseBombHeaderWithoutAllocatingPixels() throws Exception {
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().getId();
        byte[] pngBomb = Corpus.load("bomb-50000x50000.png");
        byte[] bmpBomb = Corpus.load("bomb-20000x20000.bmp");
        // Given the classes and readers are loaded (class loading allocates too)
        decoder.decode(Corpus.load("gray28.png"));
        for (byte[] bomb : List.of(pngBomb, bmpBomb)) {
            try {
                decoder.decode(bomb);
            } catch (InvalidInputException expected) {
                // warm-up
            }
            // When
            long before = threads.getThreadAllocatedBytes(thread);
            assertThatThrownBy(() -> decoder.decode(bomb)).isInstanceOf(InvalidInputException.class);
            long allocated = threads.getThreadAllocatedBytes(thread) - before;
            // Then: far from the 2.5 GB (PNG) or 400 MB (BMP) the pixels would take
            assertThat(allocated).isLessThan(4L << 20);
        }
    }

    @Test
    void shouldDecodeATallNarrowImageWithinTheDecodeBudget() throws Exception {
        // Given a 64-byte RLE8 BMP claiming 1 × 1,048,576 (exactly the pixel limit; the rest is implicit zeros),
        // found by HostileInputFuzzTest: widening its million rows before shrinking them allocated 400 MB
        DecodeLimits limits = new DecodeLimits(64 << 10, 1 << 20);
        ImageDecoder rgb = new ImageDecoder(InputSpec.uniform(3, 32, 32, 0.5f, 0.25f), limits);
        byte[] tall = rle8Bmp(1, 1 << 20);
        rgb.decode(rle8Bmp(1, 1 << 10));
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        // When
        float[] out = rgb.decode(tall);
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        // Then: the 1 MB of indices, 12 MB of float planes and a small intermediate, and every pixel is black
        assertThat(allocated).isLessThan(32L << 20);
        assertAllCloseTo(out, (0f - 0.5f) / 0.25f, 1e-4f);
    }

    /** An 8-bit RLE BMP claiming width × height: a black-and-white palette and only an end-of-bitmap code. */
    private static byte[] rle8Bmp(int width, int height) {
        int offset = 14 + 40 + 8;
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(offset + 2).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 'B').put((byte) 'M').putInt(offset + 2).putInt(0).putInt(offset);
        b.putInt(40).putInt(width).putInt(height).putShort((short) 1).putShort((short) 8).putInt(1)
                .putInt(2).putInt(2835).putInt(2835).putInt(2).putInt(0);
        b.putInt(0).putInt(0xFFFFFF);
        b.put((byte) 0).put((byte) 1);
        return b.array();
    }

    @Test
    void shouldRefuseAGifCutInsideItsFirstFrameAsTruncated() throws Exception {
        // Given an animated GIF cut at every length from its signature on
        byte[] gif = Corpus.load("animated.gif");
        int firstDecoded = -1;
        for (int length = 6; length < gif.length; length++) {
            byte[] cut = Arrays.copyOf(gif, length);
            // When decoded
            try {
                decoder.decode(cut);
                if (firstDecoded < 0) {
                    firstDecoded = length;
                }
            } catch (InvalidInputException e) {
                // Then each cut before the end of the first frame is TRUNCATED (the JDK said UNDECODABLE), and
                // once the first frame is whole, no later cut is refused (only the first frame is decoded)
                assertThat(e.code()).as("cut to %d of %d bytes: %s", length, gif.length, e.getMessage())
                        .isEqualTo(ErrorCode.TRUNCATED);
                assertThat(firstDecoded).as("cut to %d refused after %d decoded", length, firstDecoded).isNegative();
            }
        }
        assertThat(firstDecoded).as("the first frame ends before the file does").isBetween(14, gif.length - 1);
    }

    @Test
    void shouldSniffAcceptedFormats() throws Exception {
        assertThat(ImageDecoder.sniffFormat(Corpus.load("gray28.png"))).isEqualTo("png");
        assertThat(ImageDecoder.sniffFormat(Corpus.load("cmyk.jpg"))).isEqualTo("jpeg");
        assertThat(ImageDecoder.sniffFormat(Corpus.load("bmp.bmp"))).isEqualTo("bmp");
        assertThat(ImageDecoder.sniffFormat(Corpus.load("animated.gif"))).isEqualTo("gif");
        assertThatThrownBy(() -> ImageDecoder.sniffFormat(Corpus.load("image.tiff")))
                .hasMessageContaining("TIFF");
    }

    @Test
    void shouldDecodeGray28ExactlyOnTheFastPath() throws Exception {
        // Given a 28×28 8-bit gray PNG of known values, When decoded
        float[] out = decoder.decode(Corpus.load("gray28.png"));
        // Then every value is exactly (v/255 - 0.5) / 0.5
        for (int y = 0; y < 28; y++) {
            for (int x = 0; x < 28; x++) {
                assertThat(out[y * 28 + x]).isEqualTo(norm(Corpus.gray28Value(x, y)));
            }
        }
    }

    @Test
    void shouldMatchFastPathOnTheGeneralPath() throws Exception {
        // The general path (here: via a 3-channel spec) computes the same float expression as the level table.
        ImageDecoder rgb = new ImageDecoder(InputSpec.uniform(3, 28, 28, 0.5f, 0.5f), DecodeLimits.defaults());
        float[] gray = decoder.decode(Corpus.load("gray28.png"));
        float[] planes = PixelConverter.toPlanes(Corpus.gray28(), 1);
        for (int i = 0; i < 784; i++) {
            assertThat(norm(planes[i])).isEqualTo(gray[i]);
        }
        assertThat(rgb.decode(Corpus.load("gray28.png"))).hasSize(3 * 784);
    }

    @Test
    void shouldDecodeGray16CloseToItsEightBitEquivalent() throws Exception {
        float[] eight = decoder.decode(Corpus.load("gray28.png"));
        float[] sixteen = decoder.decode(Corpus.load("gray16.png"));
        for (int y = 0; y < 28; y++) {
            for (int x = 0; x < 28; x++) {
                int i = y * 28 + x;
                if (x % 2 == 0) {
                    // s = v·257 scales back to exactly v
                    assertThat(sixteen[i]).isEqualTo(eight[i]);
                } else {
                    assertThat(sixteen[i]).isCloseTo(eight[i], within(2f / 255f / 257f * 1.01f));
                }
            }
        }
    }

    @Test
    void shouldReplicateGrayIntoThreeChannels() throws Exception {
        ImageDecoder rgb = new ImageDecoder(
                new InputSpec(3, 28, 28, new float[] {0.1f, 0.2f, 0.3f}, new float[] {0.5f, 0.6f, 0.7f}),
                DecodeLimits.defaults());
        float[] out = rgb.decode(Corpus.load("gray28.png"));
        float[] mean = {0.1f, 0.2f, 0.3f};
        float[] std = {0.5f, 0.6f, 0.7f};
        for (int c = 0; c < 3; c++) {
            for (int i = 0; i < 784; i++) {
                int v = Corpus.gray28Value(i % 28, i / 28);
                assertThat(out[c * 784 + i]).isEqualTo((v / 255f - mean[c]) / std[c]);
            }
        }
    }

    @Test
    void shouldConvertRgbToLumaForOneChannel() throws Exception {
        float[] out = decoder.decode(Corpus.load("bmp.bmp"));
        for (int y = 0; y < 28; y++) {
            for (int x = 0; x < 28; x++) {
                int[] p = Corpus.bmpPixel(x, y);
                float luma = 0.299f * p[0] + 0.587f * p[1] + 0.114f * p[2];
                assertThat(out[y * 28 + x]).isCloseTo(norm(luma), within(1e-5f));
            }
        }
    }

    @Test
    void shouldKeepRgbChannelsForThreeChannelSpec() throws Exception {
        ImageDecoder rgb = new ImageDecoder(InputSpec.uniform(3, 28, 28, 0.5f, 0.5f), DecodeLimits.defaults());
        float[] out = rgb.decode(Corpus.load("bmp.bmp"));
        int[] p = Corpus.bmpPixel(5, 7);
        for (int c = 0; c < 3; c++) {
            assertThat(out[c * 784 + 7 * 28 + 5]).isEqualTo(norm(p[c]));
        }
    }

    @Test
    void shouldCompositeRgbaOverBlack() throws Exception {
        float[] out = decoder.decode(Corpus.load("rgba.png"));
        for (int x = 0; x < 28; x++) {
            // white · alpha/255: 255 → 255, 128 → 128, 0 → 0 (black)
            assertThat(out[3 * 28 + x]).isCloseTo(norm(Corpus.rgbaAlpha(x)), within(1e-5f));
        }
    }

    @Test
    void shouldCompositeTransparentPaletteIndexOverBlack() throws Exception {
        float[] out = decoder.decode(Corpus.load("palette-transparent.png"));
        float red = 0.299f * 255f;
        assertThat(out[0]).isCloseTo(norm(100f), within(1e-5f));          // row 0: gray 100
        assertThat(out[5 * 28 + 3]).isEqualTo(norm(0f));                   // transparent (white in RGB) → black
        assertThat(out[5 * 28 + 20]).isCloseTo(norm(red), within(1e-5f));  // opaque red → its luma
    }

    @Test
    void shouldDecodeFirstFrameOfAnimatedGif() throws Exception {
        ImageDecoder gif = new ImageDecoder(InputSpec.gray(16, 16, 0.5f, 0.5f), DecodeLimits.defaults());
        float[] out = gif.decode(Corpus.load("animated.gif"));
        assertAllCloseTo(out, norm(Corpus.GIF_FRAMES[0]), 1e-4f);
    }

    @Test
    void shouldConvertAdobeCmykAndYcckJpegNaively() throws Exception {
        ImageDecoder rgb = new ImageDecoder(InputSpec.uniform(3, 16, 16, 0f, 1f), DecodeLimits.defaults());
        int[] ink = Corpus.CMYK;
        for (String file : List.of("cmyk.jpg", "ycck.jpg")) {
            float[] out = rgb.decode(Corpus.load(file));
            for (int c = 0; c < 3; c++) {
                float expected = (255f - ink[c]) * (255f - ink[3]) / 255f / 255f;
                // JPEG at quality 1.0 is still lossy by a level or two (more through YCC)
                assertThat(out[c * 256 + 8 * 16 + 8]).as(file + " channel " + c).isCloseTo(expected, within(3f / 255f));
            }
        }
    }

    @Test
    void shouldConvertRawCmykRasterLikeTheJdkReader() throws Exception {
        // The fallback for JDKs that refuse CMYK ("Unsupported Image Type") agrees with the JDK's own reading.
        ImageDecoder rgb = new ImageDecoder(InputSpec.uniform(3, 16, 16, 0f, 1f), DecodeLimits.defaults());
        for (String file : List.of("cmyk.jpg", "ycck.jpg")) {
            byte[] bytes = Corpus.load(file);
            javax.imageio.ImageReader reader = javax.imageio.ImageIO.getImageReadersByFormatName("jpeg").next();
            reader.setInput(javax.imageio.ImageIO.createImageInputStream(new java.io.ByteArrayInputStream(bytes)));
            float[] fallback = PixelConverter.cmyk(JpegCmyk.toCmyk(reader.readRaster(0, null), JpegCmyk.adobeTransform(bytes)), 3);
            reader.dispose();
            float[] viaJdk = rgb.decode(bytes);
            for (int i = 0; i < fallback.length; i++) {
                assertThat(fallback[i] / 255f).as(file).isCloseTo(viaJdk[i], within(2f / 255f));
            }
        }
        assertThat(JpegCmyk.adobeTransform(Corpus.load("ycck.jpg"))).isEqualTo(JpegCmyk.TRANSFORM_YCCK);
        assertThat(JpegCmyk.adobeTransform(Corpus.load("truncated.jpg"))).isEqualTo(-1);
    }

    @Test
    void shouldDecodeOnePixelImageByResizing() throws Exception {
        float[] out = decoder.decode(Corpus.load("one-pixel.png"));
        assertAllCloseTo(out, norm(200), 1e-5f);
    }

    @Test
    void shouldDownsizeLargeImageByAreaAverage() throws Exception {
        // Given 64×64 RGB with R = 4x, G = 4y, B = 2(x+y), all linear in x and y
        ImageDecoder rgb = new ImageDecoder(InputSpec.uniform(3, 32, 32, 0f, 1f), DecodeLimits.defaults());
        float[] out = rgb.decode(Corpus.load("large-valid.png"));
        // Then each 2×2 block averages: R at output x = mean(4·2x, 4·(2x+1)) = 8x + 2
        assertThat(out[0 * 1024 + 3 * 32 + 5] * 255f).isCloseTo(8 * 5 + 2, within(1e-3f));
        assertThat(out[1 * 1024 + 3 * 32 + 5] * 255f).isCloseTo(8 * 3 + 2, within(1e-3f));
        assertThat(out[2 * 1024 + 3 * 32 + 5] * 255f).isCloseTo(4 * (5 + 3) + 2, within(1e-3f));
    }

    @Test
    void shouldKeepConstantImageConstantWhenResizing() throws Exception {
        for (int size : new int[] {7, 28, 45, 100}) {
            BufferedImage image = new BufferedImage(size, size + 3, BufferedImage.TYPE_BYTE_GRAY);
            for (int y = 0; y < size + 3; y++) {
                for (int x = 0; x < size; x++) {
                    image.getRaster().setSample(x, y, 0, 173);
                }
            }
            float[] out = decoder.decode(HostileCorpusGenerator.encode(image, "png"));
            assertAllCloseTo(out, norm(173), 1e-5f);
        }
    }

    @Test
    void shouldDownsizeTwoByTwoBlocksToTheirValues() throws Exception {
        // Given 56×56 made of 2×2 blocks, block (bx, by) of value gray28Value(bx, by)
        BufferedImage image = new BufferedImage(56, 56, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < 56; y++) {
            for (int x = 0; x < 56; x++) {
                image.getRaster().setSample(x, y, 0, Corpus.gray28Value(x / 2, y / 2));
            }
        }
        // When decoded to 28×28, Then it equals the gray28 image exactly (weights 0.5 are exact)
        float[] out = decoder.decode(HostileCorpusGenerator.encode(image, "png"));
        assertThat(out).containsExactly(decoder.decode(Corpus.load("gray28.png")));
    }

    @Test
    void shouldUpsizeBilinearWithPixelCentres() throws Exception {
        // Given 1 row [0, 255] enlarged to 4: align_corners=False gives 0, 63.75, 191.25, 255
        BufferedImage image = new BufferedImage(2, 1, BufferedImage.TYPE_BYTE_GRAY);
        image.getRaster().setSample(1, 0, 0, 255);
        ImageDecoder wide = new ImageDecoder(InputSpec.gray(1, 4, 0f, 1f), DecodeLimits.defaults());
        float[] out = wide.decode(HostileCorpusGenerator.encode(image, "png"));
        assertThat(out[0] * 255f).isCloseTo(0f, within(1e-3f));
        assertThat(out[1] * 255f).isCloseTo(63.75f, within(1e-3f));
        assertThat(out[2] * 255f).isCloseTo(191.25f, within(1e-3f));
        assertThat(out[3] * 255f).isCloseTo(255f, within(1e-3f));
    }

    @Test
    void shouldWriteAtOffsetAndNothingElse() throws Exception {
        // Given a buffer of sentinels with its position moved
        float[] backing = new float[784 * 3];
        Arrays.fill(backing, 42f);
        FloatBuffer dst = FloatBuffer.wrap(backing);
        dst.position(7);
        // When decoding into the middle slot
        decoder.decodeInto(Corpus.load("gray28.png"), dst, 784);
        // Then only [784, 1568) changed and the position is untouched
        assertThat(dst.position()).isEqualTo(7);
        assertThat(Arrays.copyOfRange(backing, 0, 784)).containsOnly(42f);
        assertThat(Arrays.copyOfRange(backing, 1568, 2352)).containsOnly(42f);
        assertThat(Arrays.copyOfRange(backing, 784, 1568)).containsExactly(decoder.decode(Corpus.load("gray28.png")));
        // and the general path too
        decoder.decodeInto(Corpus.load("bmp.bmp"), dst, 1568);
        assertThat(backing[1567]).isEqualTo(decoder.decode(Corpus.load("gray28.png"))[783]);
        assertThat(backing[1568]).isNotEqualTo(42f);
    }

    @Test
    void shouldRefuseOffsetThatDoesNotFit() {
        FloatBuffer dst = FloatBuffer.allocate(800);
        assertThatThrownBy(() -> decoder.decodeInto(Corpus.load("gray28.png"), dst, 100))
                .isInstanceOf(IndexOutOfBoundsException.class)
                .hasMessageContaining("need 784 floats at offset 100, buffer limit is 800");
    }

    @Test
    void shouldDecodeTheSameFromFourThreads() throws Exception {
        List<String> files = List.of("gray28.png", "large-valid.png", "bmp.bmp", "animated.gif", "rgba.png",
                "cmyk.jpg", "palette-transparent.png", "gray16.png");
        List<float[]> expected = new ArrayList<>();
        for (String f : files) {
            expected.add(decoder.decode(Corpus.load(f)));
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                Callable<Boolean> task = () -> {
                    for (int round = 0; round < 25; round++) {
                        for (int i = 0; i < files.size(); i++) {
                            if (!Arrays.equals(decoder.decode(Corpus.load(files.get(i))), expected.get(i))) {
                                return false;
                            }
                        }
                        try {
                            decoder.decode(Corpus.load("truncated.png"));
                            return false;
                        } catch (InvalidInputException e) {
                            if (e.code() != ErrorCode.TRUNCATED) {
                                return false;
                            }
                        }
                    }
                    return true;
                };
                results.add(pool.submit(task));
            }
            for (Future<Boolean> r : results) {
                assertThat(r.get()).isTrue();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void shouldNeverLetRuntimeExceptionsEscapeOnMangledFiles() {
        // Given valid files with bytes flipped after the magic number (seeded), When decoded,
        // Then each either decodes or fails with an InvalidInputException — nothing else.
        java.util.Random random = new java.util.Random(1);
        for (String f : List.of("gray28.png", "large-valid.png", "bmp.bmp", "animated.gif", "cmyk.jpg", "rgba.png")) {
            byte[] original = Corpus.load(f);
            for (int round = 0; round < 40; round++) {
                byte[] mangled = original.clone();
                for (int k = 0; k < 1 + round % 4; k++) {
                    int at = 8 + random.nextInt(mangled.length - 8);
                    mangled[at] = (byte) random.nextInt(256);
                }
                try {
                    decoder.decode(mangled);
                } catch (InvalidInputException expected) {
                    assertThat(expected.code()).isIn(ErrorCode.UNDECODABLE, ErrorCode.TRUNCATED,
                            ErrorCode.TOO_MANY_PIXELS, ErrorCode.EMPTY_IMAGE);
                }
            }
        }
    }
}
