package io.hardneg.fuzz;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;
import net.jqwik.api.Tuple.Tuple2;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * jqwik generators of hostile input: mutated images of every format ({@link Seeds}), decompression bombs, random
 * bytes, {@code label} headers from every Unicode category and malformed UTF-8, and whole records (value and
 * headers) made of them.
 */
public final class HostileInputs {

    /** A seed image and the mutations applied to it, in order. */
    public record MutatedImage(Seeds.Seed seed, List<Mutation> mutations, byte[] bytes) {

        /** True when the only change is a cut: the result is a proper prefix of a valid image. */
        public boolean truncatedOnly() {
            return mutations.size() == 1 && mutations.get(0).kind() == Mutation.Kind.TRUNCATE
                    && bytes.length < seed.bytes().length;
        }

        @Override
        public String toString() {
            return seed + " " + mutations + " → " + bytes.length + " bytes " + preview(bytes);
        }
    }

    /** An input whose header claims a size; {@code pixels} is width × height as the header says. */
    public record Bomb(String what, long pixels, byte[] bytes) {

        /** Saturates instead of overflowing: two unsigned 32-bit sizes can exceed a long. */
        static Bomb of(String what, long width, long height, byte[] bytes) {
            long pixels = Math.multiplyHigh(width, height) != 0 || width * height < 0 ? Long.MAX_VALUE : width * height;
            return new Bomb(what, pixels, bytes);
        }

        @Override
        public String toString() {
            return what + " (" + bytes.length + " bytes)";
        }
    }

    /** Raw {@code label} header bytes, and how they were made (the Unicode categories used, or the defect). */
    public record Label(String what, byte[] raw) {
        @Override
        public String toString() {
            return what + " " + (raw == null ? "null" : preview(raw));
        }
    }

    /** A whole record for the {@code images} topic. */
    public record HostileRecord(String what, byte[] value, RecordHeaders headers) {
        @Override
        public String toString() {
            int n = headers.toArray().length;
            return what + ", value " + (value == null ? "null" : value.length + " bytes") + ", " + n + " headers";
        }
    }

    /** Code points by {@link Character#getType} (all 30 general categories, unassigned and surrogates included). */
    static final int[][] BY_CATEGORY = byCategory();
    /** 32 MiB of zeros, deflated: the payload of a PNG decompression bomb. */
    private static final byte[] ZEROS_DEFLATED = PngWriter.deflate(new byte[32 << 20]);

    private HostileInputs() {
    }

    /** The general categories that have code points, e.g. {@link Character#UPPERCASE_LETTER}. */
    public static List<Integer> categories() {
        List<Integer> c = new ArrayList<>();
        for (int t = 0; t < BY_CATEGORY.length; t++) {
            if (BY_CATEGORY[t].length > 0) {
                c.add(t);
            }
        }
        return c;
    }

    public static Arbitrary<Mutation> mutations() {
        return Combinators.combine(Arbitraries.of(Mutation.Kind.class), Arbitraries.integers(),
                Arbitraries.integers(), Arbitraries.integers().between(0, 1000)).as(Mutation::new);
    }

    /** A seed of any format with one to four mutations. */
    public static Arbitrary<MutatedImage> mutatedImages() {
        return Combinators.combine(Arbitraries.of(Seeds.all()), mutations().list().ofMinSize(1).ofMaxSize(4))
                .as((seed, list) -> {
                    byte[] b = seed.bytes();
                    for (Mutation m : list) {
                        b = m.apply(seed.format(), b);
                    }
                    return new MutatedImage(seed, list, b);
                });
    }

    /**
     * Headers claiming more than {@code maxPixels} (PNG with a deflate stream of 32 MiB of zeros, JPEG, GIF frame
     * or logical screen, RLE BMP), and PNGs within the limit whose IDAT still inflates to 32 MiB.
     */
    public static Arbitrary<Bomb> bombs(long maxPixels) {
        long side = (long) Math.sqrt((double) maxPixels) + 1;
        Arbitrary<Long> dimension = Arbitraries.oneOf(Arbitraries.longs().between(side, 0xFFFFL),
                Arbitraries.of(side, 65535L, 65536L, 1L << 20, (long) Integer.MAX_VALUE, 0xFFFFFFFFL));
        Arbitrary<Bomb> png = Combinators.combine(dimension, dimension, Arbitraries.of(0, 2, 3, 4, 6))
                .as((w, h, type) -> Bomb.of("png " + w + "x" + h + " type " + type, w, h,
                        png(w, h, type, ZEROS_DEFLATED)));
        Arbitrary<Bomb> pngInLimit = Arbitraries.integers().between(1, 64).map(s ->
                new Bomb("png " + s + "x" + s + " with 32 MiB of deflated zeros", (long) s * s,
                        png(s, s, 0, ZEROS_DEFLATED)));
        Arbitrary<Bomb> jpeg = Combinators.combine(Arbitraries.longs().between(side, 65535),
                        Arbitraries.longs().between(side, 65535), Arbitraries.of(seeds("jpeg")))
                .as((w, h, seed) -> Bomb.of(seed.name() + " SOF claiming " + w + "x" + h, w, h,
                        Mutation.Headers.setSize("jpeg", seed.bytes().clone(), w, h, false)));
        Arbitrary<Bomb> gif = Combinators.combine(Arbitraries.longs().between(side, 65535),
                        Arbitraries.longs().between(side, 65535), Arbitraries.of(seeds("gif")))
                .as((w, h, seed) -> Bomb.of(seed.name() + " frame claiming " + w + "x" + h, w, h,
                        Mutation.Headers.setSize("gif", seed.bytes().clone(), w, h, true)));
        // Positive ints: a BMP's height is signed (negative = top-down), so that is where the claim is made.
        Arbitrary<Long> bmpDimension = Arbitraries.oneOf(Arbitraries.longs().between(side, Integer.MAX_VALUE),
                Arbitraries.of(side, 65535L, 1L << 20, (long) Integer.MAX_VALUE));
        Arbitrary<Bomb> bmp = Combinators.combine(bmpDimension, bmpDimension, Arbitraries.of(true, false))
                .as((w, h, topDown) -> Bomb.of("rle8 bmp " + w + "x" + h + (topDown ? " top-down" : ""), w, h,
                        rleBmp(w.intValue(), topDown ? -h.intValue() : h.intValue())));
        return Arbitraries.<Bomb>frequencyOf(weighted(3, png), weighted(1, pngInLimit), weighted(2, jpeg),
                weighted(2, gif), weighted(2, bmp));
    }

    /** Random bytes, bare or behind one of the accepted formats' magic bytes (or TIFF's, WebP's…). */
    public static Arbitrary<byte[]> randomBytes() {
        byte[][] magics = {{}, PngWriter.SIGNATURE, {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF}, ascii("GIF89a"),
            ascii("GIF87a"), concat(ascii("BM"), new byte[12], new byte[] {40, 0, 0, 0}), ascii("II*\0"),
            ascii("RIFF\0\0\0\0WEBP"), ascii("%PDF-1.7")};
        return Combinators.combine(Arbitraries.of(magics), Arbitraries.bytes().array(byte[].class).ofMaxSize(2048))
                .as(HostileInputs::concat);
    }

    /** {@code label} values: every Unicode category, lengths around {@code maxBytes}, malformed UTF-8, raw bytes. */
    public static Arbitrary<Label> labels(int maxBytes) {
        Arbitrary<int[]> codePoint = Arbitraries.of(categories()).flatMap(t ->
                Arbitraries.integers().between(0, BY_CATEGORY[t].length - 1)
                        .map(i -> new int[] {t, BY_CATEGORY[t][i]}));
        Arbitrary<Label> mixed = codePoint.list().ofMinSize(1).ofMaxSize(12).map(cps -> {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            StringBuilder what = new StringBuilder("categories");
            for (int[] cp : cps) {
                out.writeBytes(utf8(cp[1]));
                what.append(' ').append(cp[0]);
            }
            return new Label(what.toString(), out.toByteArray());
        });
        Arbitrary<Label> nearLimit = Combinators.combine(codePoint, Arbitraries.integers().between(-2, 2))
                .as((cp, delta) -> {
                    byte[] one = utf8(cp[1]);
                    int n = Math.max(1, (maxBytes + delta * one.length) / one.length + (delta > 0 ? 1 : 0));
                    ByteArrayOutputStream out = new ByteArrayOutputStream();
                    for (int i = 0; i < n; i++) {
                        out.writeBytes(one);
                    }
                    return new Label(n + " × category " + cp[0], out.toByteArray());
                });
        byte[][] broken = {{(byte) 0xC0, (byte) 0x80}, {(byte) 0xE2, (byte) 0x82}, {(byte) 0x80},
            {(byte) 0xF8, (byte) 0x88, (byte) 0x80, (byte) 0x80, (byte) 0x80}, {(byte) 0xF4, (byte) 0x90, (byte) 0x80,
            (byte) 0x80}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, {(byte) 0xFE}, {(byte) 0xFF}, {(byte) 0xEF,
            (byte) 0xBB, (byte) 0xBF}};
        Arbitrary<Label> malformed = Combinators.combine(mixed, Arbitraries.of(broken), Arbitraries.integers())
                .as((ok, bad, at) -> {
                    int pos = Math.floorMod(at, ok.raw().length + 1);
                    byte[] raw = concat(Arrays.copyOf(ok.raw(), pos), bad,
                            Arrays.copyOfRange(ok.raw(), pos, ok.raw().length));
                    return new Label(ok.what() + " with " + HexFormat.of().formatHex(bad) + " at " + pos, raw);
                });
        Arbitrary<Label> blank = Arbitraries.of(' ', '\t', '\n', '\u000B', '\f', '\r', '\u001C', '\u2028', '\u3000',
                '\u00A0', '\u200B', '\u2007').list().ofMinSize(1).ofMaxSize(6).map(cs -> {
                    StringBuilder s = new StringBuilder();
                    cs.forEach(s::append);
                    return new Label("spaces", s.toString().getBytes(StandardCharsets.UTF_8));
                });
        Arbitrary<Label> raw = Arbitraries.bytes().array(byte[].class).ofMaxSize(2 * maxBytes).map(b ->
                new Label("raw bytes", b));
        Arbitrary<Label> none = Arbitraries.of(new Label("null value", null), new Label("empty", new byte[0]));
        return Arbitraries.<Label>frequencyOf(weighted(6, mixed), weighted(2, nearLimit), weighted(2, malformed),
                weighted(1, blank), weighted(2, raw), weighted(1, none));
    }

    /**
     * Whole records: a value (mutated image, valid seed, bomb, random bytes, empty, null, or just over
     * {@code maxBytes}) and headers (no label, a generated label, several labels, up to {@code maxHeaders} + 3 others).
     */
    public static Arbitrary<HostileRecord> records(int maxBytes, long maxPixels, int maxLabelBytes, int maxHeaders) {
        Arbitrary<Object[]> value = Arbitraries.<Object[]>frequencyOf(
                weighted(8, mutatedImages().map(m -> new Object[] {"mutated " + m.seed().name() + " " + m.mutations(),
                    m.bytes()})),
                weighted(3, Arbitraries.of(Seeds.all()).map(s -> new Object[] {s.name(), s.bytes()})),
                weighted(2, bombs(maxPixels).map(b -> new Object[] {b.what(), b.bytes()})),
                weighted(2, randomBytes().map(b -> new Object[] {"random bytes", b})),
                weighted(1, Arbitraries.of(new Object[] {"empty value", new byte[0]},
                        new Object[] {"null value", null})),
                weighted(1, Combinators.combine(Arbitraries.of(Seeds.all()), Arbitraries.integers().between(-1, 2))
                        .as((s, d) -> new Object[] {s.name() + " padded to the limit " + (d >= 0 ? "+" : "") + d,
                            Arrays.copyOf(s.bytes(), Math.max(s.bytes().length, maxBytes + d))})));
        Arbitrary<Label> label = labels(maxLabelBytes);
        Arbitrary<Label> goodLabel = Arbitraries.of("0", "1", "7", "shoe", "ノート", "猫").map(s ->
                new Label("label " + s, s.getBytes(StandardCharsets.UTF_8)));
        Arbitrary<List<Label>> labels = Arbitraries.<List<Label>>frequencyOf(
                weighted(2, Arbitraries.just(List.<Label>of())),
                weighted(4, goodLabel.list().ofSize(1)), weighted(4, label.list().ofSize(1)),
                weighted(1, Arbitraries.oneOf(label, goodLabel).list().ofMinSize(2).ofMaxSize(3)));
        Arbitrary<Integer> others = Arbitraries.<Integer>frequencyOf(weighted(6, Arbitraries.integers().between(0, 4)),
                weighted(2, Arbitraries.integers().between(maxHeaders - 3, maxHeaders + 3)),
                weighted(1, Arbitraries.integers().between(0, 4 * maxHeaders)));
        return Combinators.combine(value, labels, others).as((v, ls, n) -> {
            RecordHeaders h = new RecordHeaders();
            // Other headers before, between and after the labels: the label is the last one named "label".
            for (int i = 0; i < n; i++) {
                h.add(new RecordHeader(i % 5 == 0 ? "x-" + i + "-ラベル" : "h" + i,
                        i % 7 == 3 ? null : new byte[] {(byte) i}));
                if (i == n / 2) {
                    ls.forEach(l -> h.add(new RecordHeader("label", l.raw())));
                }
            }
            if (n == 0) {
                ls.forEach(l -> h.add(new RecordHeader("label", l.raw())));
            }
            return new HostileRecord(v[0] + " " + ls, (byte[]) v[1], h);
        });
    }

    private static List<Seeds.Seed> seeds(String format) {
        return Seeds.all().stream().filter(s -> s.format().equals(format)).toList();
    }

    /** A PNG whose IHDR claims the size (8-bit, the colour type given) with the IDAT given; every CRC right. */
    static byte[] png(long w, long h, int colourType, byte[] idat) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(PngWriter.SIGNATURE);
        out.writeBytes(PngWriter.chunk("IHDR", ByteBuffer.allocate(13).putInt((int) w).putInt((int) h).put((byte) 8)
                .put((byte) colourType).put((byte) 0).put((byte) 0).put((byte) 0).array()));
        if (colourType == 3) {
            out.writeBytes(PngWriter.chunk("PLTE", new byte[768]));
        }
        out.writeBytes(PngWriter.chunk("IDAT", idat));
        out.writeBytes(PngWriter.chunk("IEND", new byte[0]));
        return out.toByteArray();
    }

    /** An 8-bit RLE BMP claiming the size, with a 2-colour palette and only an end-of-bitmap code. */
    static byte[] rleBmp(int width, int height) {
        int offset = 14 + 40 + 8;
        ByteBuffer b = ByteBuffer.allocate(offset + 2).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 'B').put((byte) 'M').putInt(offset + 2).putInt(0).putInt(offset);
        b.putInt(40).putInt(width).putInt(height).putShort((short) 1).putShort((short) 8).putInt(1)
                .putInt(2).putInt(2835).putInt(2835).putInt(2).putInt(0);
        b.putInt(0).putInt(0xFFFFFF);
        b.put((byte) 0).put((byte) 1);
        return b.array();
    }

    /** UTF-8 of any code point, surrogates included (which makes the result invalid, as a lone surrogate must be). */
    static byte[] utf8(int cp) {
        if (cp < 0x80) {
            return new byte[] {(byte) cp};
        }
        if (cp < 0x800) {
            return new byte[] {(byte) (0xC0 | cp >> 6), (byte) (0x80 | cp & 0x3F)};
        }
        if (cp < 0x10000) {
            return new byte[] {(byte) (0xE0 | cp >> 12), (byte) (0x80 | cp >> 6 & 0x3F), (byte) (0x80 | cp & 0x3F)};
        }
        return new byte[] {(byte) (0xF0 | cp >> 18), (byte) (0x80 | cp >> 12 & 0x3F), (byte) (0x80 | cp >> 6 & 0x3F),
            (byte) (0x80 | cp & 0x3F)};
    }

    private static int[][] byCategory() {
        int[] counts = new int[32];
        for (int cp = 0; cp <= Character.MAX_CODE_POINT; cp++) {
            counts[Character.getType(cp)]++;
        }
        int[][] by = new int[32][];
        for (int t = 0; t < 32; t++) {
            by[t] = new int[counts[t]];
        }
        int[] fill = new int[32];
        for (int cp = 0; cp <= Character.MAX_CODE_POINT; cp++) {
            int t = Character.getType(cp);
            by[t][fill[t]++] = cp;
        }
        return by;
    }

    static String preview(byte[] b) {
        return HexFormat.of().formatHex(b, 0, Math.min(16, b.length)) + (b.length > 16 ? "…" : "");
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    private static <T> Tuple2<Integer, Arbitrary<? extends T>> weighted(int weight, Arbitrary<? extends T> a) {
        return Tuple.of(weight, a);
    }
}
