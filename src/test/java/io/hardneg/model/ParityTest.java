package io.hardneg.model;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hardneg.data.FashionMnist;
import io.hardneg.data.LabeledImages;
import io.hardneg.data.PngEncoder;
import io.hardneg.image.DecodeLimits;
import io.hardneg.image.ImageDecoder;
import java.io.InputStream;
import java.nio.FloatBuffer;
import org.junit.jupiter.api.Test;

/** The Java path from image bytes to embedding reproduces PyTorch's embeddings of the shipped model. */
class ParityTest {

    @Test
    void shouldMatchPyTorchEmbeddingsFromRawPngBytesWithin1e4() throws Exception {
        JsonNode ref;
        try (InputStream in = getClass().getResourceAsStream("/parity/fashion-triplet-1.json")) {
            assertThat(in).as("parity reference written by train.py").isNotNull();
            ref = new ObjectMapper().readTree(in);
        }
        LabeledImages split = FashionMnist.bundled();
        try (EmbeddingModel model = EmbeddingModel.loadDefault()) {
            assertThat(model.info().version()).isEqualTo(ref.path("model_version").asText());
            int n = ref.path("indices").size();
            int dim = model.info().embeddingDim();
            ImageDecoder decoder = new ImageDecoder(model.info().inputSpec(), DecodeLimits.defaults());
            FloatBuffer in = model.allocateInput(n);
            for (int i = 0; i < n; i++) {
                int idx = ref.path("indices").get(i).asInt();
                byte[] png = PngEncoder.gray(split.image(idx), split.height(), split.width());
                decoder.decodeInto(png, in, i * model.info().inputSpec().size());
            }
            FloatBuffer out = model.allocateOutput(n);
            model.embed(in, out, n);
            double maxDiff = 0;
            for (int i = 0; i < n; i++) {
                JsonNode row = ref.path("embeddings").get(i);
                assertThat(row.size()).isEqualTo(dim);
                for (int k = 0; k < dim; k++) {
                    maxDiff = Math.max(maxDiff, Math.abs(out.get(i * dim + k) - row.get(k).asDouble()));
                }
            }
            assertThat(maxDiff).as("max |ORT - PyTorch| over %d images", n).isLessThanOrEqualTo(1e-4);
        }
    }
}
