package io.hardneg.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which log directories a start formats, which it reuses, and which it refuses (without starting a broker). */
class KeptStorageTest {

    @TempDir
    Path dir;

    @Test
    void shouldFormatAnAbsentOrEmptyDirectory() throws Exception {
        assertThat(KeptStorage.clusterId(dir.resolve("kafka-logs"), 1)).isEmpty();
        Files.createDirectories(dir.resolve("kafka-logs"));
        assertThat(KeptStorage.clusterId(dir.resolve("kafka-logs"), 1)).isEmpty();
    }

    @Test
    void shouldReuseTheClusterIdOfAFormattedDirectory() throws Exception {
        // Given meta.properties as kafka-storage format writes it
        Files.writeString(dir.resolve("meta.properties"),
                "#\nnode.id=1\ndirectory.id=k1Ay6uF0QvG0Rz7Vz0J2tQ\nversion=1\ncluster.id=q1dnYkM7S2eCoeQeBWk4xg\n");
        // Then its cluster id is the one the broker starts with
        assertThat(KeptStorage.clusterId(dir, 1)).contains("q1dnYkM7S2eCoeQeBWk4xg");
    }

    @Test
    void shouldRefuseANonEmptyDirectoryThatIsNotAKafkaLogDir() throws Exception {
        Files.writeString(dir.resolve("notes.txt"), "someone else's file");
        assertThatThrownBy(() -> KeptStorage.clusterId(dir, 1))
                .isInstanceOf(BrokerStartException.class)
                .hasMessageContaining(dir.toString())
                .hasMessageContaining("not empty and has no meta.properties")
                .hasMessageContaining("choose another --data-dir")
                .message().doesNotContain("\n");
    }

    @Test
    void shouldRefuseAMetaPropertiesWithoutClusterId() throws Exception {
        Files.writeString(dir.resolve("meta.properties"), "node.id=1\nversion=1\n");
        assertThatThrownBy(() -> KeptStorage.clusterId(dir, 1))
                .isInstanceOf(BrokerStartException.class)
                .hasMessageContaining("has no cluster.id");
    }

    @Test
    void shouldRefuseADirectoryFormattedForAnotherNode() throws Exception {
        Files.writeString(dir.resolve("meta.properties"), "node.id=3\nversion=1\ncluster.id=q1dnYkM7S2eCoeQeBWk4xg\n");
        assertThatThrownBy(() -> KeptStorage.clusterId(dir, 1))
                .isInstanceOf(BrokerStartException.class)
                .hasMessageContaining("formatted for node.id 3, this broker is node.id 1");
    }

    @Test
    void shouldRefuseAFileWhereTheDirectoryShouldBe() throws Exception {
        Path file = Files.writeString(dir.resolve("kafka-logs"), "x");
        assertThatThrownBy(() -> KeptStorage.clusterId(file, 1))
                .isInstanceOf(BrokerStartException.class)
                .hasMessageContaining("is a file, not a directory");
    }
}
