package io.hardneg.broker;

import kafka.tools.StorageTool;

import org.apache.kafka.common.Uuid;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * Formats an empty log directory by running {@code kafka-storage format} itself; a formatted one is started as it
 * is (see {@link KeptStorage}), so its cluster id and data survive a restart of the process.
 *
 * <p>Why the tool and not {@code org.apache.kafka.metadata.storage.Formatter}: kafka_2.13's POM puts
 * kafka-metadata and kafka-server-common on the runtime classpath only, so the tool is the formatting
 * entry point we can compile against, and it applies the same checks an operator's format would.
 */
final class StorageFormatter {

    private StorageFormatter() {
    }

    /** Formats the log directory unless it is already formatted; returns the cluster id it holds. */
    static String formatIfNeeded(Map<String, String> config, Path dataDir) {
        Optional<String> kept = KeptStorage.clusterId(Path.of(config.get("log.dirs")),
                Integer.parseInt(config.get("node.id")));
        if (kept.isPresent()) {
            return kept.get();
        }
        String clusterId = Uuid.randomUuid().toString();
        Path propsFile = dataDir.resolve("format.properties");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int rc;
        try {
            Properties props = new Properties();
            props.putAll(config);
            try (Writer w = Files.newBufferedWriter(propsFile, StandardCharsets.UTF_8)) {
                props.store(w, "written by hardneg to format the embedded broker's storage");
            }
            // The tool prints progress to its stream; stdout belongs to our progress bar and JSON lines.
            try (PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8)) {
                rc = StorageTool.execute(new String[] {
                    "format",
                    "--config", propsFile.toString(),
                    "--cluster-id", clusterId
                }, ps);
            }
        } catch (IOException | RuntimeException e) {
            throw new BrokerStartException("cannot format Kafka storage in " + config.get("log.dirs") + ": "
                    + e.getMessage() + tail(out), e);
        } finally {
            try {
                Files.deleteIfExists(propsFile);
            } catch (IOException ignored) {
                // a leftover properties file is harmless; the next format overwrites it
            }
        }
        if (rc != 0) {
            throw new BrokerStartException("cannot format Kafka storage in " + config.get("log.dirs")
                    + ": kafka-storage format exited with " + rc + tail(out));
        }
        return clusterId;
    }

    private static String tail(ByteArrayOutputStream out) {
        String s = out.toString(StandardCharsets.UTF_8).strip();
        return s.isEmpty() ? "" : " (" + s.replace('\n', ' ') + ")";
    }
}
