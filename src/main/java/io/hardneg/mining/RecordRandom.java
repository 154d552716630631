package io.hardneg.mining;

import java.nio.charset.StandardCharsets;

/**
 * Uniform numbers in (0, 1) derived from a record's identity instead of a generator's state, so that a replay
 * after a crash, another instance or another batch split makes the same random choices.
 *
 * <p>u(anchor id, model version, candidate id, tag) = ((mix(h) >>> 12) + 0.5) · 2⁻⁵², where h is FNV-1a 64 over
 * the UTF-8 bytes of the four strings, each followed by the byte 0xFF (which UTF-8 never uses, so no two tuples
 * share a byte string), and mix is SplitMix64's finaliser (FNV alone mixes its last bytes poorly). FNV-1a is a
 * stream hash: a prefix's state is a plain {@code long} that callers extend, so a miner hashes the anchor once
 * and then only each candidate's id, without allocating.
 */
final class RecordRandom {

    /** FNV-1a 64 offset basis: the hash of nothing. */
    static final long EMPTY = 0xcbf29ce484222325L;
    private static final long PRIME = 0x100000001b3L;
    private static final int SEPARATOR = 0xFF;

    /** Purpose tags: a positive drawn for the anchor, the anchor's budget decision, a bank row's sampling key. */
    static final String POSITIVE = "pos";
    static final String ANCHOR = "anchor";
    static final String BUDGET_SAMPLE = "budget";
    /** A negative's tag is this followed by its positive's id: each positive draws its negatives independently. */
    static final String NEGATIVE = "neg:";
    private static final byte[] POSITIVE_UTF8 = POSITIVE.getBytes(StandardCharsets.UTF_8);
    private static final byte[] NEGATIVE_UTF8 = NEGATIVE.getBytes(StandardCharsets.UTF_8);

    private RecordRandom() {
    }

    /** {@code h} extended by the UTF-8 bytes of {@code s} and a separator. */
    static long field(long h, String s) {
        return separator(bytes(h, s));
    }

    /** {@code h} extended by the UTF-8 bytes of {@code s}, no separator: for a field written in pieces. */
    static long bytes(long h, String s) {
        int n = s.length();
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                h = (h ^ c) * PRIME;
            } else if (c < 0x800) {
                h = (h ^ (0xC0 | (c >> 6))) * PRIME;
                h = (h ^ (0x80 | (c & 0x3F))) * PRIME;
            } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                int cp = Character.toCodePoint(c, s.charAt(++i));
                h = (h ^ (0xF0 | (cp >> 18))) * PRIME;
                h = (h ^ (0x80 | ((cp >> 12) & 0x3F))) * PRIME;
                h = (h ^ (0x80 | ((cp >> 6) & 0x3F))) * PRIME;
                h = (h ^ (0x80 | (cp & 0x3F))) * PRIME;
            } else {
                // A lone surrogate becomes '?', as String.getBytes(UTF_8) writes it.
                int v = Character.isSurrogate(c) ? '?' : c;
                if (v < 0x80) {
                    h = (h ^ v) * PRIME;
                } else {
                    h = (h ^ (0xE0 | (v >> 12))) * PRIME;
                    h = (h ^ (0x80 | ((v >> 6) & 0x3F))) * PRIME;
                    h = (h ^ (0x80 | (v & 0x3F))) * PRIME;
                }
            }
        }
        return h;
    }

    /** {@code h} extended by {@code utf8} (a string's UTF-8 bytes, as {@link #bytes(long, String)} hashes it). */
    static long bytes(long h, byte[] utf8) {
        for (byte b : utf8) {
            h = (h ^ (b & 0xFF)) * PRIME;
        }
        return h;
    }

    /** {@code h} extended by {@code utf8} and a separator: {@link #field(long, String)} of the string they encode. */
    static long field(long h, byte[] utf8) {
        return separator(bytes(h, utf8));
    }

    static long separator(long h) {
        return (h ^ SEPARATOR) * PRIME;
    }

    /** The state after the anchor's id and model version: the prefix every draw for that anchor shares. */
    static long anchor(String anchorId, String modelVersion) {
        return field(field(EMPTY, anchorId), modelVersion);
    }

    /**
     * u for a finished byte string: the top 52 bits, centred. Not 53: (2⁵³ − 1) + 0.5 rounds to 2⁵³ in a double,
     * so u could be exactly 1 (an infinite Gumbel score, an anchor refused at p = 1); 2⁵² − 0.5 is exact.
     */
    static double uniform(long h) {
        return ((mix(h) >>> 12) + 0.5) * 0x1.0p-52;
    }

    /** u(anchor id, model version, candidate id, tag), the definition written out in one call. */
    static double uniform(String anchorId, String modelVersion, String candidateId, String tag) {
        return uniform(field(field(anchor(anchorId, modelVersion), candidateId), tag));
    }

    /** u for a positive, from the state after the anchor's prefix and the candidate's id. */
    static double positive(long candidate) {
        return uniform(field(candidate, POSITIVE_UTF8));
    }

    /** u for a negative under one positive (its id as UTF-8 bytes): the tag is {@code "neg:" + positiveId}. */
    static double negative(long candidate, byte[] positiveId) {
        return uniform(field(bytes(candidate, NEGATIVE_UTF8), positiveId));
    }

    /** The anchor's budget draw: no candidate, so the empty id. */
    static double anchorDraw(String anchorId, String modelVersion) {
        return uniform(anchorId, modelVersion, "", ANCHOR);
    }

    /** A Gumbel(0, 1) variate from u: −log(−log u). StrictMath, so every JVM and JIT tier gives the same bits. */
    static double gumbel(double u) {
        return -StrictMath.log(-StrictMath.log(u));
    }

    /** SplitMix64's finaliser (Steele, Lea and Flood 2014). */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
