package io.hardneg.stream;

import io.hardneg.config.HardnegConfig;
import io.hardneg.error.ErrorCode;
import io.hardneg.error.InvalidInputException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/** Checks what can be checked before decoding: size, header count and the {@code label} header. */
final class InputValidator {

    private final HardnegConfig.Input limits;

    InputValidator(HardnegConfig.Input limits) {
        this.limits = limits;
    }

    /** Returns the label (null when the image is unlabeled) or throws with the reason the record is refused. */
    String validate(byte[] value, Headers headers) throws InvalidInputException {
        int count = 0;
        for (Header ignored : headers) {
            if (++count > limits.maxHeaders()) {
                throw new InvalidInputException(ErrorCode.TOO_MANY_HEADERS, "record has more than "
                        + limits.maxHeaders() + " headers (input.headers.max)");
            }
        }
        if (value == null || value.length == 0) {
            throw new InvalidInputException(ErrorCode.EMPTY, "record value is empty; expected encoded image bytes");
        }
        if (value.length > limits.maxImageBytes()) {
            throw new InvalidInputException(ErrorCode.TOO_LARGE, "image is " + value.length + " bytes, limit is "
                    + limits.maxImageBytes() + " (input.max-bytes)");
        }
        Header label = headers.lastHeader(RecordHeaderNames.LABEL);
        if (label == null) {
            return null;
        }
        return label(label.value());
    }

    private String label(byte[] raw) throws InvalidInputException {
        if (raw == null || raw.length == 0) {
            throw new InvalidInputException(ErrorCode.INVALID_LABEL, "label header is empty; omit it for unlabeled images");
        }
        // The limit is in bytes, as docs/topics.md says: counted in UTF-16 units it let 128 CJK characters (384
        // bytes) or 64 emoji through, and the label is copied into every output and the bank's keys.
        if (raw.length > limits.maxLabelLength()) {
            throw new InvalidInputException(ErrorCode.INVALID_LABEL, "label is " + raw.length
                    + " bytes of UTF-8, limit is " + limits.maxLabelLength() + " (input.label.max-length)");
        }
        String s;
        try {
            s = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(raw)).toString();
        } catch (CharacterCodingException e) {
            throw new InvalidInputException(ErrorCode.INVALID_LABEL, "label header is not valid UTF-8");
        }
        if (s.isBlank()) {
            throw new InvalidInputException(ErrorCode.INVALID_LABEL, "label header is blank; omit it for unlabeled images");
        }
        return s;
    }
}
