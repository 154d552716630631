package io.hardneg.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.hardneg.model.DeviceRequest;
import io.hardneg.model.EmbeddingModel;
import io.hardneg.model.ModelInfo;
import io.hardneg.model.ModelOptions;
import io.hardneg.model.ModelSource;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class OnnxVersionTest {

    private static ModelInfo load(byte[] bytes) throws Exception {
        try (EmbeddingModel m = EmbeddingModel.load(new ModelSource(bytes, "test", null, null),
                ModelOptions.defaults().withDevice(DeviceRequest.cpu()))) {
            return m.info();
        }
    }

    @Test
    void shouldReplaceTheVersionOfTheShippedModelAndKeepTheRest() throws Exception {
        // Given the shipped model, whose metadata says version 1
        byte[] shipped = ModelSource.defaultModel().bytes();
        ModelInfo before = load(shipped);
        assertThat(before.version()).isEqualTo("1");
        // When its version is rewritten
        ModelInfo after = load(OnnxVersion.withVersion(shipped, "2"));
        // Then it loads as version 2 with the same name, shape and classes
        assertThat(after.version()).isEqualTo("2");
        assertThat(after.name()).isEqualTo(before.name());
        assertThat(after.embeddingDim()).isEqualTo(before.embeddingDim());
        assertThat(after.trainedClasses()).isEqualTo(before.trainedClasses());
    }

    @Test
    void shouldAddAVersionToAModelWithoutMetadata() throws Exception {
        byte[] bare = ModelSource.path(Path.of("src/test/resources/models/no-metadata/1")).bytes();
        assertThat(load(OnnxVersion.withVersion(bare, "7")).version()).isEqualTo("7");
    }
}
