package io.hardneg.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The Fashion-MNIST test split: from a directory (Debian's {@code dataset-fashion-mnist} when installed)
 * or from the copy bundled in the jar, so that nothing is ever downloaded at run time.
 */
public final class FashionMnist {

    /** Where Debian's {@code dataset-fashion-mnist} package puts the IDX files. */
    public static final Path DEBIAN_DIR = Path.of("/usr/share/datasets/fashion-mnist");

    public static final List<String> CLASS_NAMES = List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
            "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

    private static final String BUNDLED = "data/fashion-mnist/";
    private static final String IMAGES = "t10k-images-idx3-ubyte";
    private static final String LABELS = "t10k-labels-idx1-ubyte";

    private FashionMnist() {
    }

    /** The test split from {@code dir} when given, else Debian's files when present, else the bundled copy. */
    public static LabeledImages testSplit(Path dir) throws IOException {
        if (dir != null) {
            return fromDirectory(dir);
        }
        if (findFile(DEBIAN_DIR, IMAGES) != null && findFile(DEBIAN_DIR, LABELS) != null) {
            return fromDirectory(DEBIAN_DIR);
        }
        return bundled();
    }

    /** The copy of the test split inside the jar. */
    public static LabeledImages bundled() throws IOException {
        ClassLoader cl = FashionMnist.class.getClassLoader();
        try (InputStream img = cl.getResourceAsStream(BUNDLED + IMAGES + ".gz");
             InputStream lab = cl.getResourceAsStream(BUNDLED + LABELS + ".gz")) {
            if (img == null || lab == null) {
                throw new IOException("the bundled Fashion-MNIST test split (" + BUNDLED + ") is missing from the jar");
            }
            return IdxReader.read(img, lab, "bundled Fashion-MNIST");
        }
    }

    public static LabeledImages fromDirectory(Path dir) throws IOException {
        Path images = findFile(dir, IMAGES);
        Path labels = findFile(dir, LABELS);
        if (images == null || labels == null) {
            throw new IOException("no Fashion-MNIST test split in " + dir + ": expected " + IMAGES + "[.gz] and "
                    + LABELS + "[.gz]");
        }
        try (InputStream img = Files.newInputStream(images); InputStream lab = Files.newInputStream(labels)) {
            return IdxReader.read(img, lab, dir.toString());
        }
    }

    private static Path findFile(Path dir, String base) {
        for (String name : List.of(base + ".gz", base)) {
            Path p = dir.resolve(name);
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        return null;
    }

    /** The class name of {@code label}, or the number itself for labels outside 0–9. */
    public static String className(int label) {
        return label >= 0 && label < CLASS_NAMES.size() ? CLASS_NAMES.get(label) : Integer.toString(label);
    }
}
