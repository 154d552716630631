package io.hardneg.broker;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * Reads what a log directory already holds, so a restart reuses its cluster id instead of formatting again.
 *
 * <p>Why this is needed: Kafka's formatter checks every existing {@code meta.properties} against the cluster id
 * it is given <em>before</em> honouring {@code --ignore-formatted}, so formatting a kept directory with a fresh
 * random id fails ("Invalid cluster.id"). An operator formats once and then only starts the server; we do the
 * same: format an empty directory, start a formatted one as it is (its node and directory ids included).
 */
final class KeptStorage {

    static final String META_PROPERTIES = "meta.properties";

    private KeptStorage() {
    }

    /**
     * The cluster id of a formatted {@code logDir}, or empty when it is absent or empty (format it).
     *
     * @throws BrokerStartException when it holds something else, or was formatted for another node
     */
    static Optional<String> clusterId(Path logDir, int nodeId) {
        if (!Files.exists(logDir) || isEmptyDirectory(logDir)) {
            return Optional.empty();
        }
        if (!Files.isDirectory(logDir)) {
            throw refuse(logDir, "it is a file, not a directory");
        }
        Path meta = logDir.resolve(META_PROPERTIES);
        if (!Files.isRegularFile(meta)) {
            throw refuse(logDir, "it is not empty and has no " + META_PROPERTIES + ", so it is not a Kafka log"
                    + " directory");
        }
        Properties props = new Properties();
        try (Reader r = Files.newBufferedReader(meta, StandardCharsets.UTF_8)) {
            props.load(r);
        } catch (IOException | IllegalArgumentException e) {
            throw refuse(logDir, "its " + META_PROPERTIES + " cannot be read (" + e.getMessage() + ")");
        }
        String clusterId = props.getProperty("cluster.id", "").strip();
        if (clusterId.isEmpty()) {
            throw refuse(logDir, "its " + META_PROPERTIES + " has no cluster.id");
        }
        String storedNode = props.getProperty("node.id", "").strip();
        if (!storedNode.equals(Integer.toString(nodeId))) {
            throw refuse(logDir, "it was formatted for node.id " + (storedNode.isEmpty() ? "(none)" : storedNode)
                    + ", this broker is node.id " + nodeId);
        }
        return Optional.of(clusterId);
    }

    private static boolean isEmptyDirectory(Path dir) {
        if (!Files.isDirectory(dir)) {
            return false;
        }
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.findAny().isEmpty();
        } catch (IOException e) {
            throw refuse(dir, "it cannot be listed (" + e.getMessage() + ")");
        }
    }

    private static BrokerStartException refuse(Path logDir, String why) {
        return new BrokerStartException("cannot use " + logDir + " as the broker's log directory: " + why
                + "; move it away or delete it (its data is lost), or choose another --data-dir");
    }
}
