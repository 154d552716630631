package io.hardneg.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.hardneg.config.HardnegConfig;
import io.hardneg.error.ErrorCode;
import io.hardneg.fuzz.BoundedRun;
import io.hardneg.fuzz.FuzzBudget;
import io.hardneg.fuzz.HostileInputs;
import io.hardneg.fuzz.HostileInputs.Bomb;
import io.hardneg.fuzz.HostileInputs.HostileRecord;
import io.hardneg.fuzz.HostileInputs.Label;
import io.hardneg.fuzz.HostileInputs.MutatedImage;
import io.hardneg.fuzz.Seeds;
import io.hardneg.image.DecodeLimits;
import io.hardneg.image.ImageDecoder;
import io.hardneg.image.InputSpec;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.GenerationMode;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Generated hostile input (issue 19 §2) through the validator and the decoder, in the processor's order: every input
 * is decoded or refused with a documented reason code, nothing else escapes, none takes more than {@link #PER_INPUT}
 * of CPU time, and none allocates beyond the configured limits (bombs are refused before any pixel is).
 * {@code -Dhardneg.fuzz.tries=1000000} runs longer ({@link FuzzBudget}); a failure prints jqwik's seed and the
 * failing input. Shrinking is off: jqwik shrinks on a thread of its own that it abandons, still decoding, after
 * 10 s, and that thread competed with the next property's inputs (two false "no answer" failures). To shrink a
 * failure, rerun its seed ({@code @Property(seed = "…", shrinking = ShrinkingMode.FULL)}).
 */
@AddLifecycleHook(FuzzBudget.class)
class HostileInputFuzzTest {

    /** The codes docs/topics.md documents for input; INFERENCE_FAILED comes from the model, never from here. */
    static final Set<ErrorCode> INPUT_CODES = EnumSet.of(ErrorCode.EMPTY, ErrorCode.UNSUPPORTED_FORMAT,
            ErrorCode.UNDECODABLE, ErrorCode.TRUNCATED, ErrorCode.TOO_LARGE, ErrorCode.TOO_MANY_PIXELS,
            ErrorCode.EMPTY_IMAGE, ErrorCode.INVALID_LABEL, ErrorCode.TOO_MANY_HEADERS);
    /**
     * CPU time per input: far above any decode here (the slowest take tens of ms), far below a hang. CPU, not wall
     * time, because a loaded machine can hold a thread off its core for seconds ({@link BoundedRun}).
     */
    static final Duration PER_INPUT = Duration.ofSeconds(5);
    static final int MAX_BYTES = 64 << 10;
    static final long MAX_PIXELS = 1 << 20;
    static final int MAX_LABEL = 128;
    static final int MAX_HEADERS = 64;
    static final HardnegConfig.Input LIMITS = new HardnegConfig.Input(MAX_BYTES, MAX_PIXELS, MAX_LABEL,
            MAX_HEADERS);
    static final DecodeLimits DECODE = new DecodeLimits(MAX_BYTES, MAX_PIXELS);
    static final ImageDecoder GRAY = new ImageDecoder(InputSpec.gray(28, 28, 0.5f, 0.5f), DECODE);
    static final ImageDecoder RGB = new ImageDecoder(InputSpec.uniform(3, 32, 32, 0.5f, 0.25f), DECODE);
    /**
     * HeapBudget's decode term for one image (max pixels × (8 bytes of 16-bit RGBA + 4 bytes a float channel)),
     * four times over, plus the record and the JDK readers' fixed buffers: every input's cumulative allocation,
     * garbage included, must stay under it (a progressive JPEG copies its rows again on each scan; 57 MB seen).
     */
    static final long DECODE_BUDGET = 4 * MAX_PIXELS * (8 + 4 * 3) + 4L * MAX_BYTES + (4 << 20);
    /** A refusal from the header (too many pixels, zero size) allocates no pixels: a reader and a few buffers. */
    static final long HEADER_REFUSAL_BUDGET = 1 << 20;

    private static BoundedRun runner;
    private static final Set<Integer> CATEGORIES_SEEN = ConcurrentHashMap.newKeySet();
    private static final Set<String> FORMATS_DECODED = ConcurrentHashMap.newKeySet();
    private static final Set<ErrorCode> CODES_SEEN = ConcurrentHashMap.newKeySet();

    @BeforeContainer
    static void startWorker() {
        runner = new BoundedRun(PER_INPUT);
        // Warm up: class loading and the readers' first-use tables are not what the allocation bound is about.
        for (Seeds.Seed s : Seeds.all()) {
            runner.run(() -> GRAY.decode(s.bytes()));
            runner.run(() -> RGB.decode(s.bytes()));
        }
    }

    @AfterContainer
    static void stopWorker() {
        runner.close();
        System.out.println("FUZZ codes seen " + CODES_SEEN + ", formats decoded " + FORMATS_DECODED
                + ", label categories " + CATEGORIES_SEEN.size());
    }

    // No edge cases: jqwik would enumerate thousands of seed × mutation combinations up front for little gain.
    @Property(tries = 60_000, generation = GenerationMode.RANDOMIZED, shrinking = ShrinkingMode.OFF,
            edgeCases = EdgeCasesMode.NONE)
    void shouldDecodeOrRefuseEveryMutatedImageWithADocumentedCode(@ForAll("mutatedImages") MutatedImage image,
                                                                  @ForAll boolean rgb) {
        // Given a valid image of any format and colour layout, cut, flipped, spliced or with edited header fields
        // When it is decoded
        BoundedRun.Outcome out = decode(image.bytes(), rgb);
        // Then it is decoded or refused with a documented code, in time and within the memory bounds
        assertWithinContract(image, image.bytes(), out);
        if (out.decoded()) {
            FORMATS_DECODED.add(image.seed().format());
        }
        if (image.truncatedOnly()) {
            assertCutRefused(image, out);
        }
    }

    /**
     * A cut image is refused unless only what follows the first image's pixels went: PNG's IEND (which hardneg
     * requires), JPEG's EOI (libjpeg warns), a BMP's last row padding (up to 3 bytes), a GIF's trailer (1 byte) or an
     * animated GIF's later frames (the first frame is what is decoded).
     */
    private static void assertCutRefused(MutatedImage image, BoundedRun.Outcome out) {
        int cut = image.seed().bytes().length - image.bytes().length;
        switch (image.seed().format()) {
            case "png" -> assertThat(out.code()).as("cut %s: %s", image, out)
                    .isIn(ErrorCode.TRUNCATED, ErrorCode.UNSUPPORTED_FORMAT);
            case "jpeg" -> assertThat(out.decoded()).as("cut %s decoded as if whole: %s", image, out).isFalse();
            case "bmp" -> assertThat(out.decoded() && cut > 3).as("cut %s decoded as if whole: %s", image, out)
                    .isFalse();
            default -> assertThat(out.decoded() && cut > 1 && !image.seed().name().contains("animated"))
                    .as("cut %s decoded as if whole: %s", image, out).isFalse();
        }
        if (!out.decoded()) {
            // PNG and GIF are walked block by block before decoding, so a cut is named; JPEG and BMP are the JDK's.
            boolean walked = image.seed().format().equals("png") || image.seed().format().equals("gif");
            assertThat(out.code()).as("cut %s: %s", image, out).isIn(walked
                    ? new ErrorCode[] {ErrorCode.TRUNCATED, ErrorCode.UNSUPPORTED_FORMAT}
                    : new ErrorCode[] {ErrorCode.TRUNCATED, ErrorCode.UNDECODABLE, ErrorCode.UNSUPPORTED_FORMAT});
        }
    }

    @Property(tries = 10_000, generation = GenerationMode.RANDOMIZED, shrinking = ShrinkingMode.OFF)
    void shouldRefuseEveryBombFromItsHeaderBeforeAllocatingPixels(@ForAll("bombs") Bomb bomb, @ForAll boolean rgb) {
        // Given a header claiming more pixels than input.max-pixels, or a tiny PNG whose IDAT inflates to 32 MiB
        BoundedRun.Outcome out = decode(bomb.bytes(), rgb);
        assertWithinContract(bomb, bomb.bytes(), out);
        if (bomb.pixels() > MAX_PIXELS) {
            // Then it is refused from the header, having allocated no pixel buffer: TOO_MANY_PIXELS, or UNDECODABLE
            // where the JDK's reader refuses the header itself first (libjpeg above 65,500 pixels a side, BMP when
            // the pixel bytes overflow an int); a PNG's IHDR is always ours to check first
            assertThat(out.code()).as("%s: %s", bomb, out).isIn(ErrorCode.TOO_MANY_PIXELS,
                    bomb.what().startsWith("png") ? ErrorCode.TOO_MANY_PIXELS : ErrorCode.UNDECODABLE);
            assertThat(out.allocatedBytes()).as("%s allocated before refusing: %s", bomb, out)
                    .isLessThan(HEADER_REFUSAL_BUDGET);
        } else {
            // Then the extra deflate data is never inflated into memory: decoded within the ordinary budget
            assertThat(out.code()).as("%s: %s", bomb, out).isNotEqualTo(ErrorCode.TOO_MANY_PIXELS);
        }
    }

    @Property(tries = 10_000, generation = GenerationMode.RANDOMIZED, shrinking = ShrinkingMode.OFF)
    void shouldRefuseRandomBytesUnlessTheyCarryAnAcceptedMagic(@ForAll("randomBytes") byte[] bytes,
                                                               @ForAll boolean rgb) {
        BoundedRun.Outcome out = decode(bytes, rgb);
        assertWithinContract(HostileInputs.class, bytes, out);
        if (!hasAcceptedMagic(bytes)) {
            assertThat(out.code()).as("%s", out).isIn(ErrorCode.EMPTY, ErrorCode.UNSUPPORTED_FORMAT);
        }
    }

    @Property(tries = 15_000, generation = GenerationMode.RANDOMIZED, shrinking = ShrinkingMode.OFF)
    void shouldAcceptExactlyTheDocumentedLabels(@ForAll("labels") Label label) {
        // Given a label header from any Unicode category, near the length limit, malformed or raw bytes
        RecordHeaders headers = new RecordHeaders();
        headers.add(RecordHeaderNames.LABEL, label.raw());
        byte[] png = Seeds.all().get(0).bytes();
        // When the validator checks it
        Object[] result = new Object[1];
        BoundedRun.Outcome out = runner.run(() -> result[0] = new InputValidator(LIMITS).validate(png, headers));
        noteCategories(label);
        // Then exactly the documented labels pass (UTF-8, not blank, at most input.label.max-length bytes), unchanged
        assertInputContract(label, out);
        String expected = expectedLabel(label.raw());
        if (expected == null) {
            assertThat(out.code()).as("%s: %s", label, out).isEqualTo(ErrorCode.INVALID_LABEL);
        } else {
            assertThat(out.decoded()).as("%s: %s", label, out).isTrue();
            assertThat(result[0]).as("%s", label).isEqualTo(expected);
        }
    }

    @Property(tries = 10_000, generation = GenerationMode.RANDOMIZED, shrinking = ShrinkingMode.OFF,
            edgeCases = EdgeCasesMode.NONE)
    void shouldValidateThenDecodeWholeRecordsLikeTheProcessor(@ForAll("records") HostileRecord record,
                                                              @ForAll boolean rgb) {
        // Given a record with a generated value and generated headers
        // When it goes through the validator and then the decoder, as EmbedMineProcessor does
        BoundedRun.Outcome out = runner.run(() -> {
            new InputValidator(LIMITS).validate(record.value(), record.headers());
            return (rgb ? RGB : GRAY).decode(record.value());
        });
        // Then the first check that fails decides the code, as documented
        ErrorCode envelope = expectedEnvelopeCode(record.value(), record.headers());
        assertWithinContract(record, envelope == null ? record.value() : null, out);
        if (envelope != null) {
            assertThat(out.code()).as("%s: %s", record, out).isEqualTo(envelope);
        } else {
            assertThat(out.code()).as("%s: %s", record, out).isNotIn(ErrorCode.TOO_MANY_HEADERS, ErrorCode.EMPTY,
                    ErrorCode.TOO_LARGE, ErrorCode.INVALID_LABEL);
        }
    }

    @Example
    void shouldGenerateAtLeastOneHundredThousandInputsByDefault() {
        int total = 0;
        for (Method m : HostileInputFuzzTest.class.getDeclaredMethods()) {
            Property p = m.getAnnotation(Property.class);
            if (p != null) {
                total += p.tries();
            }
        }
        assertThat(total).isEqualTo(FuzzBudget.DEFAULT_TOTAL).isGreaterThanOrEqualTo(100_000);
        // Every Unicode general category is among the labels the generator can make.
        assertThat(HostileInputs.categories()).hasSize(30);
    }

    @Provide
    Arbitrary<MutatedImage> mutatedImages() {
        return HostileInputs.mutatedImages();
    }

    @Provide
    Arbitrary<Bomb> bombs() {
        return HostileInputs.bombs(MAX_PIXELS);
    }

    @Provide
    Arbitrary<byte[]> randomBytes() {
        return HostileInputs.randomBytes();
    }

    @Provide
    Arbitrary<Label> labels() {
        return HostileInputs.labels(MAX_LABEL);
    }

    @Provide
    Arbitrary<HostileRecord> records() {
        return HostileInputs.records(MAX_BYTES, MAX_PIXELS, MAX_LABEL, MAX_HEADERS);
    }

    private static BoundedRun.Outcome decode(byte[] bytes, boolean rgb) {
        return runner.run(() -> (rgb ? RGB : GRAY).decode(bytes));
    }

    private static void assertInputContract(Object input, BoundedRun.Outcome out) {
        FuzzBudget.checked();
        assertThat(out.timedOut()).as("no answer within %s of CPU time for %s: %s", PER_INPUT, input, out).isFalse();
        if (out.escaped() != null) {
            throw new AssertionError("escaped for " + input + ": " + out.escaped(), out.escaped());
        }
        if (out.code() != null) {
            CODES_SEEN.add(out.code());
            assertThat(out.code()).as("undocumented code for %s", input).isIn(INPUT_CODES);
        }
        assertThat(out.cpuNanos()).as("CPU time for %s", input).isLessThan(PER_INPUT.toNanos());
    }

    private static void assertWithinContract(Object input, byte[] bytes, BoundedRun.Outcome out) {
        assertInputContract(input, out);
        assertThat(out.allocatedBytes()).as("allocated for %s: %s", input, out).isLessThan(DECODE_BUDGET);
        if (out.code() == ErrorCode.TOO_MANY_PIXELS || out.code() == ErrorCode.EMPTY_IMAGE
                || out.code() == ErrorCode.TOO_LARGE) {
            assertThat(out.allocatedBytes()).as("refused from the header, yet allocated: %s %s", input, out)
                    .isLessThan(HEADER_REFUSAL_BUDGET);
        }
        ErrorCode claimed = pngHeaderCode(bytes);
        if (claimed != null) {
            assertThat(out.code()).as("png header of %s: %s", input, out).isEqualTo(claimed);
        }
    }

    /** What a PNG's IHDR alone decides (zero size, too many pixels), when the record gets that far. */
    private static ErrorCode pngHeaderCode(byte[] b) {
        if (b == null || b.length < 24 || b.length > MAX_BYTES || !hasPrefix(b, 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A,
                '\n') || b[12] != 'I' || b[13] != 'H' || b[14] != 'D' || b[15] != 'R') {
            return null;
        }
        long w = ByteBuffer.wrap(b).getInt(16) & 0xFFFFFFFFL;
        long h = ByteBuffer.wrap(b).getInt(20) & 0xFFFFFFFFL;
        return w == 0 || h == 0 ? ErrorCode.EMPTY_IMAGE : w * h > MAX_PIXELS ? ErrorCode.TOO_MANY_PIXELS : null;
    }

    /** The validator's decision, written out independently from docs/topics.md, or null when it must pass. */
    private static ErrorCode expectedEnvelopeCode(byte[] value, Headers headers) {
        if (headers.toArray().length > MAX_HEADERS) {
            return ErrorCode.TOO_MANY_HEADERS;
        }
        if (value == null || value.length == 0) {
            return ErrorCode.EMPTY;
        }
        if (value.length > MAX_BYTES) {
            return ErrorCode.TOO_LARGE;
        }
        Header label = headers.lastHeader(RecordHeaderNames.LABEL);
        return label != null && expectedLabel(label.value()) == null ? ErrorCode.INVALID_LABEL : null;
    }

    /** The label a valid header holds, or null: UTF-8 (re-encoding gives the same bytes), not blank, ≤ max bytes. */
    private static String expectedLabel(byte[] raw) {
        if (raw == null || raw.length == 0 || raw.length > MAX_LABEL) {
            return null;
        }
        String s = new String(raw, StandardCharsets.UTF_8);
        if (!Arrays.equals(s.getBytes(StandardCharsets.UTF_8), raw) || s.isBlank()) {
            return null;
        }
        return s;
    }

    private static void noteCategories(Label label) {
        if (label.what().startsWith("categories")) {
            for (String t : label.what().substring("categories".length()).trim().split(" ")) {
                if (!t.chars().allMatch(Character::isDigit)) {
                    break; // "… with c080 at 3": the malformation that was spliced in
                }
                CATEGORIES_SEEN.add(Integer.parseInt(t));
            }
        }
    }

    private static boolean hasAcceptedMagic(byte[] b) {
        return hasPrefix(b, 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n') || hasPrefix(b, 0xFF, 0xD8, 0xFF)
                || hasPrefix(b, 'G', 'I', 'F', '8', '7', 'a') || hasPrefix(b, 'G', 'I', 'F', '8', '9', 'a')
                || hasPrefix(b, 'B', 'M');
    }

    private static boolean hasPrefix(byte[] b, int... prefix) {
        if (b.length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if ((b[i] & 0xFF) != prefix[i]) {
                return false;
            }
        }
        return true;
    }
}
