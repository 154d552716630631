package io.hardneg.topics;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TopicFilesTest {

    /** Maven runs tests in the project root, where topics/ lives. */
    private static final Path TOPICS_DIR = Path.of("topics");

    private static final List<String> ALL = List.of("embedding-bank", "embeddings", "hard-negatives", "images",
            "images.dlq", "model-updates", "suspect-labels");

    @Test
    void shouldLoadAllSevenTopicsFromTheDirectory() {
        List<TopicDeclaration> topics = TopicFiles.load(TOPICS_DIR);

        assertThat(topics).extracting(TopicDeclaration::name).containsExactlyElementsOf(ALL);
        assertThat(byName(topics, "images").partitions()).isEqualTo(4);
        assertThat(byName(topics, "images").configs())
                .containsEntry("retention.ms", "604800000")
                .containsEntry("max.message.bytes", "10485760");
        assertThat(byName(topics, "images.dlq").configs()).containsEntry("retention.ms", "1209600000");
    }

    @Test
    void shouldLoadTheSameTopicsFromTheClasspathAsFromTheDirectory() {
        assertThat(TopicFiles.loadBundled()).isEqualTo(TopicFiles.load(TOPICS_DIR));
    }

    @Test
    void shouldListEveryYamlFileInTheIndexSoTheJarBundlesIt() throws IOException {
        List<String> onDisk;
        try (Stream<Path> files = Files.list(TOPICS_DIR)) {
            onDisk = files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".yaml")).sorted().toList();
        }
        List<String> indexed = TopicFiles.bundledFileNames(getClass().getClassLoader(), TopicFiles.BUNDLED_FOLDER);
        assertThat(indexed).containsExactlyInAnyOrderElementsOf(onDisk);
    }

    @Test
    void shouldRequireCompactionOnTheBankAndTheModelTopic() {
        List<TopicDeclaration> topics = TopicFiles.load(TOPICS_DIR);
        for (String name : List.of("embedding-bank", "model-updates")) {
            TopicDeclaration t = byName(topics, name);
            assertThat(t.configs()).containsEntry("cleanup.policy", "compact");
            assertThat(t.requiredConfigs()).containsExactly("cleanup.policy");
            assertThat(t.partitions()).isEqualTo(1);
        }
        assertThat(byName(topics, "embedding-bank").configs()).containsEntry("min.compaction.lag.ms", "0");
        // Small segments, so that the cleaner never has a whole GiB of overwrites to do at once
        Map<String, String> bank = byName(topics, "embedding-bank").configs();
        assertThat(Long.parseLong(bank.get("segment.bytes"))).isEqualTo(64L * 1024 * 1024)
                .isGreaterThanOrEqualTo(Long.parseLong(bank.get("max.message.bytes")));
        // No larger than the embedded broker's message.max.bytes (32 MiB), or the topic config is a lie.
        assertThat(Long.parseLong(byName(topics, "model-updates").configs().get("max.message.bytes")))
                .isEqualTo(32L * 1024 * 1024);
        assertThat(byName(topics, "images").requiredConfigs()).isEmpty();
    }

    @Test
    void shouldNameTheFileAndKeyWhenTheNameIsMissing(@TempDir Path dir) throws IOException {
        Path file = write(dir, "nameless.yaml", """
                apiVersion: kafka.strimzi.io/v1beta2
                kind: KafkaTopic
                metadata:
                  labels: {strimzi.io/cluster: hardneg}
                spec:
                  partitions: 1
                """);
        assertThatThrownBy(() -> TopicFiles.load(dir))
                .isInstanceOf(TopicFileException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("metadata.name");
    }

    @Test
    void shouldNameTheFileAndKeyWhenPartitionsAreMissingOrWrong(@TempDir Path dir) throws IOException {
        Path file = write(dir, "t.yaml", "kind: KafkaTopic\nmetadata: {name: t}\nspec: {replicas: 1}\n");
        assertThatThrownBy(() -> TopicFiles.load(dir))
                .hasMessageContaining(file.toString()).hasMessageContaining("missing spec.partitions");

        write(dir, "t.yaml", "kind: KafkaTopic\nmetadata: {name: t}\nspec: {partitions: four}\n");
        assertThatThrownBy(() -> TopicFiles.load(dir))
                .hasMessageContaining(file.toString()).hasMessageContaining("spec.partitions must be an integer")
                .hasMessageContaining("four");

        write(dir, "t.yaml", "kind: KafkaTopic\nmetadata: {name: t}\nspec: {partitions: 0}\n");
        assertThatThrownBy(() -> TopicFiles.load(dir)).hasMessageContaining("spec.partitions must be an integer >= 1");
    }

    @Test
    void shouldNameTheFileAndLineOfInvalidYaml(@TempDir Path dir) throws IOException {
        Path file = write(dir, "broken.yaml", "kind: KafkaTopic\nmetadata:\n  name: [unclosed\nspec: {partitions: 1}\n");
        assertThatThrownBy(() -> TopicFiles.load(dir))
                .isInstanceOf(TopicFileException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("not valid YAML");
    }

    @Test
    void shouldRefuseARequiredConfigWithoutAValue(@TempDir Path dir) throws IOException {
        write(dir, "t.yaml", """
                kind: KafkaTopic
                metadata:
                  name: t
                  annotations: {hardneg.io/required-configs: "cleanup.policy"}
                spec: {partitions: 1}
                """);
        assertThatThrownBy(() -> TopicFiles.load(dir))
                .hasMessageContaining("t.yaml")
                .hasMessageContaining("hardneg.io/required-configs names cleanup.policy");
    }

    @Test
    void shouldRefuseAnotherKindAndDuplicateNames(@TempDir Path dir) throws IOException {
        write(dir, "a.yaml", "kind: KafkaUser\nmetadata: {name: a}\nspec: {partitions: 1}\n");
        assertThatThrownBy(() -> TopicFiles.load(dir)).hasMessageContaining("kind must be KafkaTopic, was KafkaUser");

        write(dir, "a.yaml", "kind: KafkaTopic\nmetadata: {name: same}\nspec: {partitions: 1}\n");
        write(dir, "b.yaml", "kind: KafkaTopic\nmetadata: {name: same}\nspec: {partitions: 1}\n");
        assertThatThrownBy(() -> TopicFiles.load(dir)).hasMessageContaining("topic same is declared in more than one file");
    }

    @Test
    void shouldTurnNumbersAndBooleansIntoKafkaConfigStringsAndDefaultReplicasToOne(@TempDir Path dir)
            throws IOException {
        write(dir, "t.yml", """
                kind: KafkaTopic
                metadata: {name: t}
                spec:
                  partitions: 2
                  config: {retention.ms: 1000, preallocate: true, cleanup.policy: "compact,delete"}
                """);
        TopicDeclaration t = TopicFiles.load(dir).get(0);
        assertThat(t.replicas()).isEqualTo((short) 1);
        assertThat(t.configs()).isEqualTo(Map.of("retention.ms", "1000", "preallocate", "true",
                "cleanup.policy", "compact,delete"));
        assertThat(t.requiredConfigs()).isEqualTo(Set.of());
    }

    @Test
    void shouldSayWhenTheDirectoryIsMissingOrEmpty(@TempDir Path dir) {
        assertThatThrownBy(() -> TopicFiles.load(dir.resolve("nope"))).hasMessageContaining("does not exist");
        assertThatThrownBy(() -> TopicFiles.load(dir)).hasMessageContaining("has no .yaml files");
    }

    @Test
    void shouldCompareListValuedConfigsAsSets() {
        assertThat(TopicProvisioner.sameValue("cleanup.policy", "compact,delete", "delete, compact")).isTrue();
        assertThat(TopicProvisioner.sameValue("cleanup.policy", "compact", "compact,delete")).isFalse();
        assertThat(TopicProvisioner.sameValue("cleanup.policy", "compact", null)).isFalse();
    }

    private static TopicDeclaration byName(List<TopicDeclaration> topics, String name) {
        return topics.stream().filter(t -> t.name().equals(name)).findFirst().orElseThrow();
    }

    private static Path write(Path dir, String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text);
    }
}
