package io.hardneg.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The committed test models and their PyTorch reference outputs (see src/test/resources/models/README.md). */
final class TestModels {

    static final Path ROOT = Path.of("src/test/resources/models");

    private TestModels() {
    }

    static Path versionDir(String name) {
        return ROOT.resolve(name).resolve("1");
    }

    static EmbeddingModel load(String name) throws ModelLoadException {
        return EmbeddingModel.load(ModelSource.path(versionDir(name)), ModelOptions.defaults().withDevice(DeviceRequest.cpu()));
    }

    /** One case of reference.json: the batch-2 input it describes and the raw graph output. */
    record Case(String kind, int n, int size, float[] input, float[] output, int dim) { }

    record Reference(double tolerance, boolean l2NormalizedInGraph, List<Case> cases) { }

    static Reference reference(String name) throws IOException {
        JsonNode root = new ObjectMapper().readTree(versionDir(name).resolve("reference.json").toFile());
        List<Case> cases = new ArrayList<>();
        for (JsonNode c : root.get("cases")) {
            JsonNode shape = c.get("input_shape");
            int n = shape.get(0).asInt();
            int size = 1;
            for (int i = 1; i < shape.size(); i++) {
                size *= shape.get(i).asInt();
            }
            float[] input = new float[n * size];
            String kind = c.get("kind").asText();
            for (int i = 0; i < input.length; i++) {
                input[i] = kind.equals("fill") ? (float) c.get("fill").asDouble() : (i % 251) / 250f - 0.5f;
            }
            List<Float> out = new ArrayList<>();
            flatten(c.get("output"), out);
            float[] output = new float[out.size()];
            for (int i = 0; i < output.length; i++) {
                output[i] = out.get(i);
            }
            cases.add(new Case(kind, n, size, input, output, output.length / n));
        }
        return new Reference(root.get("tolerance").asDouble(), root.get("l2_normalized_in_graph").asBoolean(), cases);
    }

    private static void flatten(JsonNode node, List<Float> into) {
        if (node.isArray()) {
            node.forEach(child -> flatten(child, into));
        } else {
            into.add((float) node.asDouble());
        }
    }

    static float[] normalizedRows(float[] v, int dim) {
        float[] out = v.clone();
        for (int r = 0; r < v.length / dim; r++) {
            double s = 0;
            for (int i = 0; i < dim; i++) {
                s += (double) v[r * dim + i] * v[r * dim + i];
            }
            for (int i = 0; i < dim; i++) {
                out[r * dim + i] = (float) (v[r * dim + i] / Math.sqrt(s));
            }
        }
        return out;
    }

    static double norm(float[] v, int row, int dim) {
        double s = 0;
        for (int i = 0; i < dim; i++) {
            s += (double) v[row * dim + i] * v[row * dim + i];
        }
        return Math.sqrt(s);
    }
}
