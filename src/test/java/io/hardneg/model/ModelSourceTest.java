package io.hardneg.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelSourceTest {

    @Test
    void shouldPickTheHighestNumericVersionOfAModelFolder(@TempDir Path dir) throws Exception {
        // Given versions 2, 10 and 9 (numeric, not lexical, order matters) and a non-numeric folder
        Path model = dir.resolve("fashion");
        for (String v : new String[] {"2", "10", "9", "latest"}) {
            Files.createDirectories(model.resolve(v));
            Files.writeString(model.resolve(v).resolve("model.onnx"), "v" + v);
        }

        ModelSource source = ModelSource.path(model);

        assertThat(new String(source.bytes())).isEqualTo("v10");
        assertThat(source.folderVersion()).isEqualTo("10");
        assertThat(source.folderName()).isEqualTo("fashion");
        assertThat(source.origin()).isEqualTo(model.resolve("10").resolve("model.onnx").toString());
    }

    @Test
    void shouldAcceptAVersionFolderOrTheFileItself() throws Exception {
        Path version = TestModels.versionDir("tiny-rgb");

        ModelSource fromDir = ModelSource.path(version);
        ModelSource fromFile = ModelSource.path(version.resolve("model.onnx"));

        assertThat(fromDir.bytes()).isEqualTo(fromFile.bytes());
        assertThat(fromDir.folderName()).isEqualTo("tiny-rgb");
        assertThat(fromDir.folderVersion()).isEqualTo("1");
    }

    @Test
    void shouldHashTheBytesLikeTheCommittedSha256File() throws Exception {
        Path version = TestModels.versionDir("tiny-rgb");
        String committed = Files.readString(version.resolve("sha256")).trim().split("\\s+")[0];

        assertThat(ModelSource.path(version).sha256()).isEqualTo(committed);
    }

    @Test
    void shouldExplainTheExpectedLayoutOfAFolderWithoutModel(@TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve("empty"));

        assertThatThrownBy(() -> ModelSource.path(dir.resolve("empty")))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("no model.onnx in " + dir.resolve("empty"))
                .hasMessageContaining("<version>/model.onnx");
    }

    @Test
    void shouldNameAMissingClasspathResource() {
        assertThatThrownBy(() -> ModelSource.classpath("models/none/1/model.onnx"))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("models/none/1/model.onnx");
    }
}
