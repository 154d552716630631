package io.hardneg.mining;

/**
 * How many of a batch's anchors to mine before the rest, so that a batch mined into a fresh bank also meets its
 * own images.
 *
 * <p>A chunk is mined against the bank as it was before the chunk, and its entries reach the bank before the next
 * chunk is mined. Against thousands of entries of the anchors' model version a batch of 512 adds little, and is
 * mined whole (one pass, split over the mining pool). Against a bank that holds few or none (after a start or a
 * model swap), a whole batch would be mined against next to nothing. So each chunk adds at most a quarter to the
 * entries of its version, and holds at least {@value #MIN} anchors: into a fresh bank a batch of 512 goes as
 * 64, 64, 64, 64, 64, 80, 100 and 12; a bank of 2,048 or more entries takes it whole.
 */
public final class MiningChunks {

    /** The smallest chunk: the batch that mined bursts into a fresh bank well before batches grew to 512. */
    public static final int MIN = 64;
    /** A chunk holds at most 1/SHARE of the entries it is mined against. */
    static final int SHARE = 4;

    private MiningChunks() {
    }

    /** How many of {@code remaining} anchors to mine next against {@code entries} entries of their version. */
    public static int next(int entries, int remaining) {
        if (entries < 0 || remaining < 0) {
            throw new IllegalArgumentException("entries and remaining must be >= 0, found " + entries + ", "
                    + remaining);
        }
        return Math.min(remaining, Math.max(MIN, entries / SHARE));
    }
}
