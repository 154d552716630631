package io.hardneg.image;

import java.awt.image.Raster;
import java.awt.image.WritableRaster;

/**
 * Turns the raw 4-component raster of a CMYK or YCCK JPEG ({@code ImageReader.readRaster}, no colour conversion)
 * into real CMYK, for the JDK readers that refuse such files with "Unsupported Image Type".
 *
 * <p>Adobe's convention, which Photoshop and nearly every CMYK JPEG follow, stores the components inverted
 * (255 = no ink). We assume it always, with or without the APP14 marker, as the JDK's own CMYK reading does; the
 * marker's transform flag only tells whether the first three components are YCbCr-coded (2 = YCCK).
 */
final class JpegCmyk {

    static final int TRANSFORM_NONE = 0;
    static final int TRANSFORM_YCCK = 2;

    private JpegCmyk() {
    }

    /** The Adobe APP14 transform flag, or -1 when there is no Adobe marker before the first scan. */
    static int adobeTransform(byte[] jpeg) {
        int i = 2;
        while (i + 4 <= jpeg.length && (jpeg[i] & 0xFF) == 0xFF) {
            int marker = jpeg[i + 1] & 0xFF;
            if (marker == 0xDA || marker == 0xD9) {
                return -1;
            }
            int length = (jpeg[i + 2] & 0xFF) << 8 | (jpeg[i + 3] & 0xFF);
            if (marker == 0xEE && length >= 12 && i + 4 + 11 < jpeg.length
                    && jpeg[i + 4] == 'A' && jpeg[i + 5] == 'd' && jpeg[i + 6] == 'o' && jpeg[i + 7] == 'b'
                    && jpeg[i + 8] == 'e') {
                return jpeg[i + 4 + 11] & 0xFF;
            }
            i += 2 + length;
        }
        return -1;
    }

    static Raster toCmyk(Raster raw, int adobeTransform) {
        int w = raw.getWidth();
        int h = raw.getHeight();
        WritableRaster out = raw.createCompatibleWritableRaster(w, h);
        int[] px = new int[4 * w];
        for (int y = 0; y < h; y++) {
            raw.getPixels(raw.getMinX(), raw.getMinY() + y, w, 1, px);
            for (int x = 0; x < w; x++) {
                int o = 4 * x;
                if (adobeTransform == TRANSFORM_YCCK) {
                    // YCbCr decodes to 255 − stored C/M/Y, which (stored being inverted) is the real ink.
                    float yy = px[o];
                    float cb = px[o + 1] - 128f;
                    float cr = px[o + 2] - 128f;
                    px[o] = clamp(yy + 1.402f * cr);
                    px[o + 1] = clamp(yy - 0.344136f * cb - 0.714136f * cr);
                    px[o + 2] = clamp(yy + 1.772f * cb);
                } else {
                    px[o] = 255 - px[o];
                    px[o + 1] = 255 - px[o + 1];
                    px[o + 2] = 255 - px[o + 2];
                }
                px[o + 3] = 255 - px[o + 3];
            }
            out.setPixels(0, y, w, 1, px);
        }
        return out;
    }

    private static int clamp(float v) {
        return Math.max(0, Math.min(255, Math.round(v)));
    }
}
