package io.hardneg.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hardneg.data.LabeledImages;
import io.hardneg.data.PngEncoder;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageSourceTest {

    @Test
    void shouldNameImagesByLabelFolderAndFile(@TempDir Path dir) throws IOException {
        // Given DIR/<label>/*.png, plus a file at the top and a non-image that must be skipped
        byte[] boot = PngEncoder.gray(new byte[] {1, 2, 3, 4}, 2, 2);
        byte[] bag = PngEncoder.gray(new byte[] {9, 8, 7, 6}, 2, 2);
        Files.createDirectories(dir.resolve("boot"));
        Files.createDirectories(dir.resolve("bag"));
        Files.write(dir.resolve("boot/b.png"), boot);
        Files.write(dir.resolve("boot/a.PNG"), boot);
        Files.write(dir.resolve("bag/x.png"), bag);
        Files.writeString(dir.resolve("bag/notes.txt"), "not an image");
        Files.write(dir.resolve("stray.png"), bag);

        // When read as an ImageFolder
        ImageSource source = ImageSource.folder(dir);
        List<LabeledImage> images = new ArrayList<>();
        source.forEach(images::add);

        // Then ids are label/file in sorted order, labels are the folder names, bytes are the files
        assertThat(source.size()).isEqualTo(3);
        assertThat(images).extracting(LabeledImage::id).containsExactly("bag/x.png", "boot/a.PNG", "boot/b.png");
        assertThat(images).extracting(LabeledImage::label).containsExactly("bag", "boot", "boot");
        assertThat(images.get(0).bytes()).isEqualTo(bag);
        assertThat(images.get(2).bytes()).isEqualTo(boot);
    }

    @Test
    void shouldExplainTheLayoutWhenAFolderHasNoImages(@TempDir Path dir) throws IOException {
        Files.createDirectories(dir.resolve("empty-label"));

        assertThatThrownBy(() -> ImageSource.folder(dir))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("no images under " + dir)
                .hasMessageContaining("DIR/<label>/");
    }

    @Test
    void shouldRefuseAPathThatIsNotADirectory(@TempDir Path dir) {
        Path missing = dir.resolve("missing");

        assertThatThrownBy(() -> ImageSource.folder(missing))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(missing + " is not a directory");
    }

    @Test
    void shouldEncodeIdxImagesAsPngsWhosePixelsRoundTrip() throws IOException {
        // Given two 2x3 images labelled 4 and 9
        byte[] pixels = {0, 50, 100, (byte) 150, (byte) 200, (byte) 255, 1, 2, 3, 4, 5, 6};
        LabeledImages set = new LabeledImages(2, 2, 3, pixels, new int[] {4, 9});

        ImageSource source = ImageSource.idx(set, "fmnist");
        List<LabeledImage> images = new ArrayList<>();
        source.forEach(images::add);

        assertThat(source.size()).isEqualTo(2);
        assertThat(images).extracting(LabeledImage::id).containsExactly("fmnist-0", "fmnist-1");
        assertThat(images).extracting(LabeledImage::label).containsExactly("4", "9");
        for (int k = 0; k < 2; k++) {
            BufferedImage img = ImageIO.read(new ByteArrayInputStream(images.get(k).bytes()));
            assertThat(img.getWidth()).isEqualTo(3);
            assertThat(img.getHeight()).isEqualTo(2);
            byte[] back = (byte[]) img.getRaster().getDataElements(0, 0, 3, 2, null);
            assertThat(back).containsExactly(set.image(k));
        }
    }
}
