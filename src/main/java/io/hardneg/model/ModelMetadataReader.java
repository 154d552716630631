package io.hardneg.model;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.TensorInfo;
import io.hardneg.image.InputSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/** Builds {@link ModelInfo} from a model's tensor shapes, its {@code hardneg.*} metadata and the options. */
final class ModelMetadataReader {

    static final String PREFIX = "hardneg.";

    private ModelMetadataReader() {
    }

    static ModelInfo read(ModelSource source, TensorInfo input, TensorInfo output, Map<String, String> meta,
                          ModelOptions options) throws ModelLoadException {
        String origin = source.origin();
        long[] in = input.getShape();
        long[] out = output.getShape();
        if (input.type != OnnxJavaType.FLOAT || in.length != 4) {
            throw new ModelLoadException("model " + origin + " input must be float32 [N,C,H,W]; found "
                    + input.type + " " + Arrays.toString(in));
        }
        if (output.type != OnnxJavaType.FLOAT || out.length != 2) {
            throw new ModelLoadException("model " + origin + " output must be float32 [N,D]; found "
                    + output.type + " " + Arrays.toString(out));
        }
        int[] chw = inputDims(in, meta.get(PREFIX + "input_shape"), origin);
        int dim = out[1] > 0 ? (int) out[1] : parseInt(meta.get(PREFIX + "embedding_dim"), -1);
        if (dim <= 0) {
            throw new ModelLoadException("model " + origin + " output " + Arrays.toString(out)
                    + " has no fixed embedding size and no hardneg.embedding_dim metadata");
        }
        int channels = chw[0];
        if (channels != 1 && channels != 3) {
            throw new ModelLoadException("model " + origin + " input must have 1 (gray) or 3 (RGB) channels; found "
                    + channels);
        }
        float[] mean = options.mean() != null ? options.mean()
                : floats(meta.get(PREFIX + "norm.mean"), channels, 0f, origin, "norm.mean");
        float[] std = options.std() != null ? options.std()
                : floats(meta.get(PREFIX + "norm.std"), channels, 1f, origin, "norm.std");
        InputSpec spec = new InputSpec(channels, chw[1], chw[2], broadcast(mean, channels, "mean", origin),
                broadcast(std, channels, "std", origin));
        String version = firstNonBlank(meta.get(PREFIX + "version"), numericOrNull(source.folderVersion()),
                source.sha256().substring(0, 12));
        String name = firstNonBlank(meta.get(PREFIX + "name"), source.folderName(), "model");
        boolean normalized = Boolean.parseBoolean(meta.getOrDefault(PREFIX + "l2_normalized", "false"));
        return new ModelInfo(name, version, spec, dim, normalized, list(meta.get(PREFIX + "class_names")),
                new LinkedHashSet<>(list(meta.get(PREFIX + "trained_classes"))),
                new LinkedHashSet<>(list(meta.get(PREFIX + "held_out_classes"))), source.sha256(), origin);
    }

    private static int[] inputDims(long[] shape, String declared, String origin) throws ModelLoadException {
        int[] fromMeta = null;
        if (declared != null && !declared.isBlank()) {
            List<String> parts = list(declared);
            if (parts.size() != 3) {
                throw new ModelLoadException("model " + origin + " metadata hardneg.input_shape='" + declared
                        + "' must be C,H,W");
            }
            fromMeta = new int[3];
            for (int i = 0; i < 3; i++) {
                fromMeta[i] = parseInt(parts.get(i), -1);
            }
        }
        int[] dims = new int[3];
        for (int i = 0; i < 3; i++) {
            long s = shape[i + 1];
            if (s > 0) {
                dims[i] = (int) s;
                if (fromMeta != null && fromMeta[i] != s) {
                    throw new ModelLoadException("model " + origin + " input shape " + Arrays.toString(shape)
                            + " contradicts its metadata hardneg.input_shape=" + declared);
                }
            } else if (fromMeta != null && fromMeta[i] > 0) {
                dims[i] = fromMeta[i];
            } else {
                throw new ModelLoadException("model " + origin + " input " + Arrays.toString(shape)
                        + " has a dynamic C/H/W dimension and no hardneg.input_shape metadata to fix it");
            }
        }
        return dims;
    }

    private static float[] floats(String text, int channels, float dflt, String origin, String key)
            throws ModelLoadException {
        if (text == null || text.isBlank()) {
            float[] f = new float[channels];
            Arrays.fill(f, dflt);
            return f;
        }
        List<String> parts = list(text);
        float[] f = new float[parts.size()];
        for (int i = 0; i < f.length; i++) {
            try {
                f[i] = Float.parseFloat(parts.get(i));
            } catch (NumberFormatException e) {
                throw new ModelLoadException("model " + origin + " metadata hardneg." + key + "='" + text
                        + "' is not a comma-separated list of numbers");
            }
        }
        return f;
    }

    private static float[] broadcast(float[] v, int channels, String what, String origin) throws ModelLoadException {
        if (v.length == channels) {
            return v;
        }
        if (v.length == 1) {
            float[] f = new float[channels];
            Arrays.fill(f, v[0]);
            return f;
        }
        throw new ModelLoadException("model " + origin + " normalisation " + what + " has " + v.length
                + " values; expected 1 or " + channels + " (one per channel)");
    }

    private static List<String> list(String csv) {
        List<String> out = new ArrayList<>();
        if (csv != null) {
            for (String s : csv.split(",")) {
                if (!s.isBlank()) {
                    out.add(s.trim());
                }
            }
        }
        return out;
    }

    private static int parseInt(String s, int dflt) {
        try {
            return s == null ? dflt : Integer.parseInt(s.trim());
        } catch (NumberFormatException e) {
            return dflt;
        }
    }

    private static String numericOrNull(String s) {
        return s != null && s.matches("\\d+") ? s : null;
    }

    private static String firstNonBlank(String... values) {
        for (String v : values) {
            if (v != null && !v.isBlank()) {
                return v.trim();
            }
        }
        return null;
    }
}
