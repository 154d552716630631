package io.hardneg.topics;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads topic declarations from Strimzi {@code KafkaTopic} YAML files, in a directory or bundled in the jar.
 */
public final class TopicFiles {

    /** The classpath folder the jar bundles {@code topics/} into. */
    public static final String BUNDLED_FOLDER = "topics/";

    /** Lists the bundled files, because a folder inside a jar can't be listed portably. */
    static final String INDEX = "index.txt";

    /** The annotation carrying the comma-separated configs that are correctness requirements. */
    public static final String REQUIRED_CONFIGS_ANNOTATION = "hardneg.io/required-configs";

    static final String KIND = "KafkaTopic";

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private TopicFiles() {
    }

    /** Loads every {@code *.yaml}/{@code *.yml} file in {@code dir}, sorted by topic name. */
    public static List<TopicDeclaration> load(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new TopicFileException("topics directory " + dir + " does not exist or is not a directory");
        }
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir, "*.{yaml,yml}")) {
            stream.forEach(files::add);
        } catch (IOException e) {
            throw new TopicFileException("cannot list topics directory " + dir + ": " + e.getMessage(), e);
        }
        if (files.isEmpty()) {
            throw new TopicFileException("topics directory " + dir + " has no .yaml files");
        }
        List<TopicDeclaration> declarations = new ArrayList<>();
        for (Path file : files) {
            try (InputStream in = Files.newInputStream(file)) {
                declarations.add(parse(file.toString(), in));
            } catch (IOException e) {
                throw new TopicFileException(file + ": cannot read: " + e.getMessage(), e);
            }
        }
        return checked(declarations);
    }

    /** Loads the files bundled in the jar under {@code topics/}, as listed by {@code topics/index.txt}. */
    public static List<TopicDeclaration> loadBundled() {
        return loadFromClasspath(TopicFiles.class.getClassLoader(), BUNDLED_FOLDER);
    }

    static List<TopicDeclaration> loadFromClasspath(ClassLoader loader, String folder) {
        List<TopicDeclaration> declarations = new ArrayList<>();
        for (String fileName : bundledFileNames(loader, folder)) {
            String resource = folder + fileName;
            try (InputStream in = loader.getResourceAsStream(resource)) {
                if (in == null) {
                    throw new TopicFileException("classpath:" + resource + " is listed in " + folder + INDEX
                            + " but missing from the jar");
                }
                declarations.add(parse("classpath:" + resource, in));
            } catch (IOException e) {
                throw new TopicFileException("classpath:" + resource + ": cannot read: " + e.getMessage(), e);
            }
        }
        return checked(declarations);
    }

    static List<String> bundledFileNames(ClassLoader loader, String folder) {
        String index = folder + INDEX;
        try (InputStream in = loader.getResourceAsStream(index)) {
            if (in == null) {
                throw new TopicFileException("classpath:" + index + " not found: the jar was built without topics/");
            }
            return Arrays.stream(new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\\R"))
                    .map(String::strip)
                    .filter(line -> !line.isEmpty() && !line.startsWith("#"))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read classpath:" + index, e);
        }
    }

    /** Parses one KafkaTopic document; {@code source} names the file in every error. */
    static TopicDeclaration parse(String source, InputStream in) {
        JsonNode root;
        try {
            root = YAML.readTree(in);
        } catch (JacksonException e) {
            throw new TopicFileException(source + ": not valid YAML: " + e.getOriginalMessage()
                    + (e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr()), e);
        } catch (IOException e) {
            throw new TopicFileException(source + ": cannot read: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new TopicFileException(source + ": expected a KafkaTopic mapping, found "
                    + (root == null ? "an empty file" : root.getNodeType().toString().toLowerCase()));
        }
        String kind = root.path("kind").asText(null);
        if (kind != null && !KIND.equals(kind)) {
            throw new TopicFileException(source + ": kind must be " + KIND + ", was " + kind);
        }
        String name = requiredText(source, root, "metadata", "name");
        JsonNode spec = root.path("spec");
        int partitions = requiredPartitions(source, spec);
        int replicas = spec.has("replicas") ? requiredInt(source, spec.get("replicas"), "spec.replicas", 1) : 1;
        if (replicas > Short.MAX_VALUE) {
            throw new TopicFileException(source + ": spec.replicas must be a small positive integer, was " + replicas);
        }

        Map<String, String> configs = new LinkedHashMap<>();
        JsonNode config = spec.path("config");
        if (!config.isMissingNode() && !config.isNull()) {
            if (!config.isObject()) {
                throw new TopicFileException(source + ": spec.config must be a mapping of config name to value");
            }
            for (Map.Entry<String, JsonNode> e : config.properties()) {
                if (!e.getValue().isValueNode() || e.getValue().isNull()) {
                    throw new TopicFileException(source + ": spec.config." + e.getKey()
                            + " must be a string, number or boolean");
                }
                // Strimzi accepts numbers and booleans; Kafka wants strings.
                configs.put(e.getKey(), e.getValue().asText());
            }
        }

        Set<String> required = new LinkedHashSet<>();
        JsonNode annotation = root.path("metadata").path("annotations").path(REQUIRED_CONFIGS_ANNOTATION);
        if (!annotation.isMissingNode() && !annotation.isNull()) {
            for (String key : annotation.asText().split(",")) {
                String k = key.strip();
                if (k.isEmpty()) {
                    continue;
                }
                if (!configs.containsKey(k)) {
                    throw new TopicFileException(source + ": metadata.annotations." + REQUIRED_CONFIGS_ANNOTATION
                            + " names " + k + ", which has no value in spec.config");
                }
                required.add(k);
            }
        }
        try {
            return new TopicDeclaration(name, partitions, (short) replicas, configs, required);
        } catch (IllegalArgumentException e) {
            throw new TopicFileException(source + ": " + e.getMessage(), e);
        }
    }

    private static String requiredText(String source, JsonNode root, String parent, String key) {
        JsonNode node = root.path(parent).path(key);
        if (node.isMissingNode() || node.isNull() || node.asText().isBlank()) {
            throw new TopicFileException(source + ": missing " + parent + "." + key);
        }
        if (!node.isTextual()) {
            throw new TopicFileException(source + ": " + parent + "." + key + " must be a string");
        }
        return node.asText().strip();
    }

    private static int requiredPartitions(String source, JsonNode spec) {
        JsonNode node = spec.path("partitions");
        if (node.isMissingNode() || node.isNull()) {
            throw new TopicFileException(source + ": missing spec.partitions");
        }
        return requiredInt(source, node, "spec.partitions", 1);
    }

    private static int requiredInt(String source, JsonNode node, String path, int min) {
        if (!node.canConvertToInt() || !node.isIntegralNumber() || node.asInt() < min) {
            throw new TopicFileException(source + ": " + path + " must be an integer >= " + min + ", was "
                    + node.asText(node.toString()));
        }
        return node.asInt();
    }

    private static List<TopicDeclaration> checked(List<TopicDeclaration> declarations) {
        Map<String, Integer> seen = new HashMap<>();
        for (TopicDeclaration d : declarations) {
            if (seen.merge(d.name(), 1, Integer::sum) > 1) {
                throw new TopicFileException("topic " + d.name() + " is declared in more than one file");
            }
        }
        List<TopicDeclaration> sorted = new ArrayList<>(declarations);
        sorted.sort(Comparator.comparing(TopicDeclaration::name));
        return List.copyOf(sorted);
    }
}
