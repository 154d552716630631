package io.hardneg.model;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The bytes of an ONNX model and where they came from.
 *
 * <p>A directory follows Triton's layout ({@code <name>/<version>/model.onnx}), so the version and
 * name fall back to the folder names when the model carries no metadata.
 */
public record ModelSource(byte[] bytes, String origin, String folderName, String folderVersion) {

    /** The model shipped inside the jar. */
    public static final String DEFAULT_RESOURCE = "models/fashion-triplet/1/model.onnx";

    public static ModelSource defaultModel() throws ModelLoadException {
        return classpath(DEFAULT_RESOURCE);
    }

    public static ModelSource classpath(String resource) throws ModelLoadException {
        try (InputStream in = ModelSource.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new ModelLoadException("model resource " + resource + " is not on the classpath");
            }
            return named(in.readAllBytes(), "classpath:" + resource, Path.of(resource));
        } catch (IOException e) {
            throw new ModelLoadException("cannot read model resource " + resource + ": " + e.getMessage(), e);
        }
    }

    /** A model file, a version folder holding {@code model.onnx}, or a model folder (highest version wins). */
    public static ModelSource path(Path path) throws ModelLoadException {
        Path file = resolveFile(path);
        try {
            return named(Files.readAllBytes(file), file.toString(), file);
        } catch (NoSuchFileException e) {
            throw new ModelLoadException("model file " + file + " does not exist");
        } catch (IOException e) {
            throw new ModelLoadException("cannot read model file " + file + ": " + e.getMessage(), e);
        }
    }

    private static Path resolveFile(Path path) throws ModelLoadException {
        if (Files.isRegularFile(path)) {
            return path;
        }
        if (!Files.exists(path)) {
            throw new ModelLoadException("model path " + path + " does not exist");
        }
        if (!Files.isDirectory(path)) {
            throw new ModelLoadException("model path " + path + " is neither an .onnx file nor a directory");
        }
        Path direct = path.resolve("model.onnx");
        if (Files.isRegularFile(direct)) {
            return direct;
        }
        try (var children = Files.list(path)) {
            return children.filter(p -> p.getFileName().toString().matches("\\d+"))
                    .filter(p -> Files.isRegularFile(p.resolve("model.onnx")))
                    .max((a, b) -> Long.compare(Long.parseLong(a.getFileName().toString()),
                            Long.parseLong(b.getFileName().toString())))
                    .map(p -> p.resolve("model.onnx"))
                    .orElseThrow(() -> new ModelLoadException("no model.onnx in " + path
                            + " (expected " + path + "/model.onnx or " + path + "/<version>/model.onnx)"));
        } catch (IOException e) {
            throw new ModelLoadException("cannot list model directory " + path + ": " + e.getMessage(), e);
        }
    }

    private static ModelSource named(byte[] bytes, String origin, Path file) {
        Path versionDir = file.getParent();
        String version = versionDir == null ? null : versionDir.getFileName().toString();
        Path nameDir = versionDir == null ? null : versionDir.getParent();
        String name = nameDir == null ? null : nameDir.getFileName().toString();
        return new ModelSource(bytes, origin, name, version);
    }

    public String sha256() {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every JVM", e);
        }
    }
}
