package io.hardneg.error;

/**
 * Why an input was refused; becomes the {@code error.code} header on the dead-letter record and a metric tag.
 *
 * <p>The set is closed and small on purpose: it is a metric tag, so its values must stay bounded.
 */
public enum ErrorCode {
    /** The record has no bytes at all (null or zero-length value). */
    EMPTY,
    /** The magic bytes are not one of the accepted image formats (PNG, JPEG, BMP, GIF). */
    UNSUPPORTED_FORMAT,
    /** The bytes look like an accepted format but the decoder could not make an image of them. */
    UNDECODABLE,
    /** The image stream ends before the pixel data does. */
    TRUNCATED,
    /** The record is larger than the configured byte limit. */
    TOO_LARGE,
    /** The header claims more pixels than the configured limit (a decompression bomb, or simply too big). */
    TOO_MANY_PIXELS,
    /** The header claims a width or height of zero. */
    EMPTY_IMAGE,
    /** The {@code label} header is present but not usable (not UTF-8, blank, too long). */
    INVALID_LABEL,
    /** The record carries more headers than allowed. */
    TOO_MANY_HEADERS,
    /** The model failed on this input. */
    INFERENCE_FAILED,
    /** A tensor had another shape than the model expects. */
    WRONG_SHAPE
}
