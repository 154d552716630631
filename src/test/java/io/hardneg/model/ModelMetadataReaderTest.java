package io.hardneg.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.TensorInfo;
import java.nio.FloatBuffer;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ModelMetadataReaderTest {

    private static final ModelSource SOURCE = new ModelSource(new byte[] {1, 2, 3}, "test.onnx", "fashion", "7");

    private static TensorInfo tensor(long... shape) throws OrtException {
        long n = 1;
        for (long s : shape) {
            n *= s;
        }
        return TensorInfo.constructFromBuffer(FloatBuffer.allocate((int) n), shape, OnnxJavaType.FLOAT);
    }

    private static Map<String, String> meta(String... kv) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put("hardneg." + kv[i], kv[i + 1]);
        }
        return m;
    }

    @Test
    void shouldBroadcastASingleMeanAndStdToEveryChannel() throws Exception {
        ModelInfo info = ModelMetadataReader.read(SOURCE, tensor(1, 3, 4, 4), tensor(1, 5),
                meta("norm.mean", "0.5", "norm.std", "0.25"), ModelOptions.defaults());

        assertThat(info.inputSpec().mean()).containsExactly(0.5f, 0.5f, 0.5f);
        assertThat(info.inputSpec().std()).containsExactly(0.25f, 0.25f, 0.25f);
        assertThat(info.embeddingDim()).isEqualTo(5);
    }

    @Test
    void shouldLetOptionsOverrideTheMetadataNormalisation() throws Exception {
        ModelOptions options = new ModelOptions(DeviceRequest.cpu(), 0, false, new float[] {0.1f}, new float[] {0.2f});

        ModelInfo info = ModelMetadataReader.read(SOURCE, tensor(1, 1, 4, 4), tensor(1, 5),
                meta("norm.mean", "0.5", "norm.std", "0.5"), options);

        assertThat(info.inputSpec().mean()).containsExactly(0.1f);
        assertThat(info.inputSpec().std()).containsExactly(0.2f);
    }

    @Test
    void shouldPreferMetadataIdentityOverFolderNames() throws Exception {
        ModelInfo withMeta = ModelMetadataReader.read(SOURCE, tensor(1, 1, 4, 4), tensor(1, 5),
                meta("name", "triplet", "version", "42", "held_out_classes", "5, 9", "l2_normalized", "true"),
                ModelOptions.defaults());
        ModelInfo withoutMeta = ModelMetadataReader.read(SOURCE, tensor(1, 1, 4, 4), tensor(1, 5), Map.of(),
                ModelOptions.defaults());

        assertThat(withMeta.name()).isEqualTo("triplet");
        assertThat(withMeta.version()).isEqualTo("42");
        assertThat(withMeta.heldOutClasses()).containsExactlyInAnyOrder("5", "9");
        assertThat(withMeta.l2NormalizedByModel()).isTrue();
        assertThat(withoutMeta.name()).isEqualTo("fashion");
        assertThat(withoutMeta.version()).isEqualTo("7");
        assertThat(withoutMeta.l2NormalizedByModel()).isFalse();
    }

    @Test
    void shouldFallBackToTheHashPrefixWhenTheFolderIsNotAVersion() throws Exception {
        ModelSource loose = new ModelSource(new byte[] {1, 2, 3}, "loose.onnx", "models", "latest");

        ModelInfo info = ModelMetadataReader.read(loose, tensor(1, 1, 4, 4), tensor(1, 5), Map.of(),
                ModelOptions.defaults());

        assertThat(info.version()).isEqualTo(loose.sha256().substring(0, 12));
    }

    @Test
    void shouldRefuseAMeanWithTheWrongNumberOfChannels() {
        assertThatThrownBy(() -> ModelMetadataReader.read(SOURCE, tensor(1, 3, 4, 4), tensor(1, 5),
                meta("norm.mean", "0.1,0.2"), ModelOptions.defaults()))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("mean has 2 values; expected 1 or 3");
    }

    @Test
    void shouldRefuseAnInputShapeThatContradictsTheMetadata() {
        assertThatThrownBy(() -> ModelMetadataReader.read(SOURCE, tensor(1, 1, 4, 4), tensor(1, 5),
                meta("input_shape", "1,28,28"), ModelOptions.defaults()))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("[1, 1, 4, 4]")
                .hasMessageContaining("hardneg.input_shape=1,28,28");
    }

    @Test
    void shouldRefuseAnInputWithTwoChannels() {
        assertThatThrownBy(() -> ModelMetadataReader.read(SOURCE, tensor(1, 2, 4, 4), tensor(1, 5), Map.of(),
                ModelOptions.defaults()))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("1 (gray) or 3 (RGB) channels; found 2");
    }

    @Test
    void shouldRefuseNonNumericNormalisationMetadata() {
        assertThatThrownBy(() -> ModelMetadataReader.read(SOURCE, tensor(1, 1, 4, 4), tensor(1, 5),
                meta("norm.std", "wide"), ModelOptions.defaults()))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("hardneg.norm.std='wide'");
    }
}
