package io.hardneg.image;

import java.awt.image.BufferedImage;
import java.awt.image.Raster;

/**
 * What came out of the reader: an image, or, when the JDK refused the colour type of a CMYK JPEG, its real CMYK
 * raster (0 = no ink).
 */
record DecodedImage(BufferedImage image, Raster cmyk) {

    static DecodedImage of(BufferedImage image) {
        return new DecodedImage(image, null);
    }

    static DecodedImage ofCmyk(Raster cmyk) {
        return new DecodedImage(null, cmyk);
    }

    int width() {
        return image != null ? image.getWidth() : cmyk.getWidth();
    }

    int height() {
        return image != null ? image.getHeight() : cmyk.getHeight();
    }

    /** Float planes (C×H×W, 0..255) at the image's own size. */
    float[] toPlanes(int channels) {
        return image != null ? PixelConverter.toPlanes(image, channels) : PixelConverter.cmyk(cmyk, channels);
    }
}
