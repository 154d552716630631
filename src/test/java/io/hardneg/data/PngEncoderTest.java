package io.hardneg.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class PngEncoderTest {

    @Test
    void shouldRoundTripEveryGrayValueExactly() throws Exception {
        // Given all 256 gray levels in a 16x16 image, a non-square 3x5 image and a real sample
        byte[] levels = new byte[256];
        for (int i = 0; i < 256; i++) {
            levels[i] = (byte) i;
        }
        assertRoundTrip(levels, 16, 16);
        assertRoundTrip(new byte[] {0, 10, 20, 30, 40, 50, 60, 70, 80, 90, (byte) 128, (byte) 129, (byte) 254, (byte) 255, 1}, 3, 5);
        LabeledImages sample = FashionMnist.bundled().head(1);
        assertRoundTrip(sample.image(0), 28, 28);
    }

    private static void assertRoundTrip(byte[] pixels, int height, int width) throws Exception {
        byte[] png = PngEncoder.gray(pixels, height, width);

        assertThat(png).startsWith((byte) 0x89, (byte) 'P', (byte) 'N', (byte) 'G');
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(png));
        assertThat(img.getWidth()).isEqualTo(width);
        assertThat(img.getHeight()).isEqualTo(height);
        assertThat(img.getRaster().getNumBands()).isEqualTo(1);
        byte[] back = (byte[]) img.getRaster().getDataElements(0, 0, width, height, null);
        assertThat(back).containsExactly(pixels);
    }
}
