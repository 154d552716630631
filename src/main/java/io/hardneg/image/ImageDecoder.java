package io.hardneg.image;

import io.hardneg.error.ErrorCode;
import io.hardneg.error.InvalidInputException;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.FloatBuffer;
import javax.imageio.ImageIO;

/** TEMPORARY stand-in until the image branch lands; replaced by its version on merge. */
public final class ImageDecoder {
    private final InputSpec spec;

    public ImageDecoder(InputSpec spec, DecodeLimits limits) {
        this.spec = spec;
    }

    public InputSpec spec() {
        return spec;
    }

    public void decodeInto(byte[] bytes, FloatBuffer dst, int offset) throws InvalidInputException {
        float[] f = decode(bytes);
        dst.put(offset, f);
    }

    public float[] decode(byte[] bytes) throws InvalidInputException {
        if (bytes == null || bytes.length == 0) {
            throw new InvalidInputException(ErrorCode.EMPTY, "empty");
        }
        try {
            BufferedImage img = ImageIO.read(new ByteArrayInputStream(bytes));
            if (img == null) {
                throw new InvalidInputException(ErrorCode.UNSUPPORTED_FORMAT, "unsupported");
            }
            var r = img.getRaster();
            float[] out = new float[spec.size()];
            for (int y = 0; y < spec.height(); y++) {
                for (int x = 0; x < spec.width(); x++) {
                    float v = r.getSample(x, y, 0);
                    out[y * spec.width() + x] = (v / 255f - spec.mean()[0]) / spec.std()[0];
                }
            }
            return out;
        } catch (java.io.IOException e) {
            throw new InvalidInputException(ErrorCode.UNDECODABLE, e.getMessage());
        }
    }
}
