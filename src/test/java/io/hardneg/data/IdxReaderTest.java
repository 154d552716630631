package io.hardneg.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxReaderTest {

    private static LabeledImages bundled;

    @BeforeAll
    static void readBundled() throws IOException {
        bundled = FashionMnist.bundled();
    }

    @Test
    void shouldReadTheBundledTestSplit() {
        assertThat(bundled.count()).isEqualTo(10_000);
        assertThat(bundled.height()).isEqualTo(28);
        assertThat(bundled.width()).isEqualTo(28);
        assertThat(bundled.pixels()).hasSize(10_000 * 28 * 28);
        int[] perLabel = new int[10];
        for (int l : bundled.labels()) {
            assertThat(l).isBetween(0, 9);
            perLabel[l]++;
        }
        assertThat(perLabel).containsOnly(1000);
    }

    @Test
    void shouldReadUncompressedFilesExactlyAsTheGzippedOnes(@TempDir Path dir) throws IOException {
        // Given the bundled files decompressed into a directory
        for (String name : new String[] {"t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"}) {
            try (InputStream gz = new GZIPInputStream(getClass().getClassLoader()
                    .getResourceAsStream("data/fashion-mnist/" + name + ".gz"))) {
                Files.write(dir.resolve(name), gz.readAllBytes());
            }
        }

        LabeledImages plain = FashionMnist.fromDirectory(dir);

        assertThat(plain.count()).isEqualTo(bundled.count());
        assertThat(Arrays.equals(plain.pixels(), bundled.pixels())).isTrue();
        assertThat(plain.labels()).isEqualTo(bundled.labels());
    }

    @Test
    void shouldReadASmallHandWrittenSet() throws IOException {
        byte[] pixels = {0, 1, 2, 3, (byte) 200, (byte) 255};

        LabeledImages set = IdxReader.read(images(0x803, 3, 1, 2, pixels), labels(0x801, 3, 7, 0, 255), "small");

        assertThat(set.count()).isEqualTo(3);
        assertThat(set.image(2)).containsExactly((byte) 200, (byte) 255);
        assertThat(set.labels()).containsExactly(7, 0, 255);
    }

    @Test
    void shouldRefuseAnImagesFileWithTheWrongMagic() {
        assertThatThrownBy(() -> IdxReader.read(images(0x801, 1, 1, 1, new byte[1]), labels(0x801, 1, 0), "swapped"))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("swapped")
                .hasMessageContaining("magic 0x801")
                .hasMessageContaining("expected 0x803");
    }

    @Test
    void shouldRefuseALabelsFileWithTheWrongMagic() {
        assertThatThrownBy(() -> IdxReader.read(images(0x803, 1, 1, 1, new byte[1]), labels(0x803, 1, 0), "swapped"))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("labels file has magic 0x803")
                .hasMessageContaining("expected 0x801");
    }

    @Test
    void shouldRefuseATruncatedImagesFile() {
        // Given a header announcing 4 images of 2x2 but only 5 pixel bytes
        assertThatThrownBy(() -> IdxReader.read(images(0x803, 4, 2, 2, new byte[5]), labels(0x801, 4, 0, 1, 2, 3), "cut"))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("cut")
                .hasMessageContaining("truncated")
                .hasMessageContaining("4 images");
    }

    @Test
    void shouldRefuseATruncatedHeaderWithAnIOException() {
        assertThatThrownBy(() -> IdxReader.read(new ByteArrayInputStream(new byte[] {0, 0, 8}), labels(0x801, 0), "tiny"))
                .isInstanceOf(IOException.class);
    }

    @Test
    void shouldRefuseImagesAndLabelsOfDifferentCounts() {
        assertThatThrownBy(() -> IdxReader.read(images(0x803, 2, 1, 1, new byte[2]), labels(0x801, 3, 0, 1, 2), "mismatch"))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("2 images of 1x1 but 3 labels");
    }

    @Test
    void shouldNameTheDirectoryWithoutTheSplit(@TempDir Path dir) {
        assertThatThrownBy(() -> FashionMnist.fromDirectory(dir))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(dir.toString())
                .hasMessageContaining("t10k-images-idx3-ubyte[.gz]");
    }

    private static InputStream images(int magic, int n, int h, int w, byte[] pixels) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(magic);
        out.writeInt(n);
        out.writeInt(h);
        out.writeInt(w);
        out.write(pixels);
        return new ByteArrayInputStream(bytes.toByteArray());
    }

    private static InputStream labels(int magic, int n, int... values) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(magic);
        out.writeInt(n);
        for (int v : values) {
            out.writeByte(v);
        }
        return new ByteArrayInputStream(bytes.toByteArray());
    }
}
