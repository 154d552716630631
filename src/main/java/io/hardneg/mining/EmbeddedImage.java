package io.hardneg.mining;

/**
 * An embedded image as the miner sees it: an anchor, or an entry of the memory bank.
 *
 * @param label null when the image is unlabeled
 * @param image the encoded image bytes, or null when they are not kept
 */
public record EmbeddedImage(String id, String label, String modelVersion, float[] embedding, byte[] image,
                            long timestamp) {
}
