package io.hardneg.error;

/** TEMPORARY stand-in until the image branch lands; replaced by its version on merge. */
public enum ErrorCode { EMPTY, UNSUPPORTED_FORMAT, UNDECODABLE, TRUNCATED, TOO_LARGE, TOO_MANY_PIXELS, EMPTY_IMAGE,
    INVALID_LABEL, TOO_MANY_HEADERS, INFERENCE_FAILED, WRONG_SHAPE }
