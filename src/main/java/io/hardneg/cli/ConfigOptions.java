package io.hardneg.cli;

import io.hardneg.config.ConfigLoader;
import io.hardneg.config.HardnegConfig;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/** The configuration flags shared by {@code serve}, {@code demo} and {@code bench}. */
final class ConfigOptions {

    @Option(names = "--config", paramLabel = "FILE", description = "Properties file (keys: docs/configuration.md).")
    Path configFile;

    @Option(names = "--set", paramLabel = "KEY=VALUE",
            description = "Set a configuration key; repeatable; wins over the file and HARDNEG_* variables.")
    Map<String, String> settings = new LinkedHashMap<>();

    @Option(names = "--model", paramLabel = "DIR", description = "Model directory or .onnx file (model.path).")
    Path model;

    @Option(names = "--device", paramLabel = "DEVICE", description = "auto, cpu, cuda or cuda:N (inference.device).")
    String device;

    /** Defaults, then the file, then the environment, then --set and the dedicated flags. */
    HardnegConfig load(Map<String, String> flags) {
        return load(Map.of(), flags);
    }

    /**
     * As {@link #load(Map)}, with a command's own settings ({@code commandSettings}) that win over the file and the
     * environment but that --set still overrides.
     */
    HardnegConfig load(Map<String, String> commandSettings, Map<String, String> flags) {
        Map<String, String> cli = new LinkedHashMap<>(commandSettings);
        cli.putAll(settings);
        if (model != null) {
            cli.put("model.path", model.toString());
        }
        if (device != null) {
            cli.put("inference.device", device);
        }
        cli.putAll(flags);
        return ConfigLoader.load(configFile, System.getenv(), cli);
    }
}
