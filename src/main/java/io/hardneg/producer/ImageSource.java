package io.hardneg.producer;

import io.hardneg.data.LabeledImages;
import io.hardneg.data.PngEncoder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.NoSuchElementException;
import java.util.stream.Stream;

/** A finite sequence of images to send: an ImageFolder directory or an IDX image set. */
public interface ImageSource extends Iterable<LabeledImage> {

    int size();

    /** {@code DIR/<label>/<file>} (torchvision's ImageFolder layout); ids are {@code <label>/<file>}. */
    static ImageSource folder(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IOException(dir + " is not a directory; expected DIR/<label>/<image files>");
        }
        List<Path> files = new ArrayList<>();
        try (Stream<Path> labels = Files.list(dir)) {
            for (Path labelDir : labels.filter(Files::isDirectory).sorted().toList()) {
                try (Stream<Path> images = Files.list(labelDir)) {
                    images.filter(Files::isRegularFile).filter(ImageSource::looksLikeImage).sorted().forEach(files::add);
                }
            }
        }
        if (files.isEmpty()) {
            throw new IOException("no images under " + dir + "; expected DIR/<label>/*.png|jpg|jpeg|bmp|gif");
        }
        return new ImageSource() {
            @Override
            public int size() {
                return files.size();
            }

            @Override
            public Iterator<LabeledImage> iterator() {
                Iterator<Path> it = files.iterator();
                return new Iterator<>() {
                    @Override
                    public boolean hasNext() {
                        return it.hasNext();
                    }

                    @Override
                    public LabeledImage next() {
                        Path f = it.next();
                        String label = f.getParent().getFileName().toString();
                        try {
                            return new LabeledImage(label + "/" + f.getFileName(), label, Files.readAllBytes(f));
                        } catch (IOException e) {
                            throw new UncheckedIOException("cannot read " + f, e);
                        }
                    }
                };
            }
        };
    }

    private static boolean looksLikeImage(Path p) {
        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return n.endsWith(".png") || n.endsWith(".jpg") || n.endsWith(".jpeg") || n.endsWith(".bmp") || n.endsWith(".gif");
    }

    /** An IDX set, each image encoded as PNG on the fly; ids are {@code <prefix>-<index>}, labels the class numbers. */
    static ImageSource idx(LabeledImages images, String idPrefix) {
        return new ImageSource() {
            @Override
            public int size() {
                return images.count();
            }

            @Override
            public Iterator<LabeledImage> iterator() {
                return new Iterator<>() {
                    private int i;

                    @Override
                    public boolean hasNext() {
                        return i < images.count();
                    }

                    @Override
                    public LabeledImage next() {
                        if (!hasNext()) {
                            throw new NoSuchElementException();
                        }
                        int k = i++;
                        return new LabeledImage(idPrefix + "-" + k, Integer.toString(images.labels()[k]),
                                PngEncoder.gray(images.image(k), images.height(), images.width()));
                    }
                };
            }
        };
    }
}
