package io.hardneg.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.hardneg.image.DecodeLimits;
import io.hardneg.image.ImageDecoder;
import io.hardneg.image.InputSpec;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A 3×32×32 RGB model goes through the same decoder → tensor → ONNX Runtime path as the 28×28 gray one. */
class RgbInputPathTest {

    private static EmbeddingModel model;
    private static ImageDecoder decoder;

    @BeforeAll
    static void load() throws Exception {
        model = EmbeddingModel.load(ModelSource.path(Path.of("src/test/resources/models/tiny-rgb/1")),
                ModelOptions.defaults());
        decoder = new ImageDecoder(model.info().inputSpec(), DecodeLimits.defaults());
    }

    @AfterAll
    static void close() {
        model.close();
    }

    private static byte[] encode(BufferedImage img, String format) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThat(ImageIO.write(img, format, out)).isTrue();
        return out.toByteArray();
    }

    private static BufferedImage randomRgb(int w, int h, long seed) {
        Random rnd = new Random(seed);
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, rnd.nextInt(1 << 24));
            }
        }
        return img;
    }

    @Test
    void shouldEmbedAnRgbPngExactlyAsItsHandNormalisedTensor() throws Exception {
        // Given a 32x32 RGB image (the model's own size: no resampling)
        BufferedImage img = randomRgb(32, 32, 3);
        InputSpec spec = model.info().inputSpec();
        assertThat(spec.channels()).isEqualTo(3);
        float[] manual = new float[spec.size()];
        for (int y = 0; y < 32; y++) {
            for (int x = 0; x < 32; x++) {
                int rgb = img.getRGB(x, y);
                int[] c = {(rgb >> 16) & 0xff, (rgb >> 8) & 0xff, rgb & 0xff};
                for (int ch = 0; ch < 3; ch++) {
                    manual[ch * 1024 + y * 32 + x] = (c[ch] / 255f - spec.mean()[ch]) / spec.std()[ch];
                }
            }
        }
        // When it goes through the decoder, and the tensor built by hand goes straight to the model
        float[] viaDecoder = model.embed(decoder.decode(encode(img, "png")), 1);
        float[] direct = model.embed(manual, 1);
        // Then both embeddings agree and are unit length
        for (int k = 0; k < direct.length; k++) {
            assertThat(viaDecoder[k]).isCloseTo(direct[k], within(1e-5f));
        }
        double norm = 0;
        for (float v : viaDecoder) {
            norm += v * v;
        }
        assertThat(Math.sqrt(norm)).isCloseTo(1.0, within(1e-5));
    }

    @Test
    void shouldTakeOtherSizesFormatsAndGrayInputThroughTheSamePath() throws Exception {
        BufferedImage big = randomRgb(64, 48, 5);
        float[] png = model.embed(decoder.decode(encode(big, "png")), 1);
        float[] bmp = model.embed(decoder.decode(encode(big, "bmp")), 1);
        assertThat(bmp).as("lossless formats of one image embed alike").containsExactly(png, within(1e-6f));
        byte[] gray = Files.readAllBytes(Path.of("src/test/resources/hostile/gray28.png"));
        float[] g = model.embed(decoder.decode(gray), 1);
        assertThat(g).hasSize(16).doesNotContain(Float.NaN);
        assertThat(g).isNotEqualTo(png);
    }
}
