package io.hardneg.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

class MainTest {

    /** What one run of the command line left behind. */
    record Run(int exitCode, String out, String err) {

        String[] errLines() {
            return err.isBlank() ? new String[0] : err.strip().split("\\R");
        }
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = Main.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    private static void assertOneLineUsageError(Run r, String command, String... fragments) {
        assertThat(r.exitCode()).as("exit code; stderr: %s", r.err()).isEqualTo(2);
        assertThat(r.errLines()).as("stderr: %s", r.err()).hasSize(1);
        assertThat(r.err()).startsWith(command + ": error: ").doesNotContain("\tat ").doesNotContain("Usage:");
        for (String f : fragments) {
            assertThat(r.err()).contains(f);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"serve", "demo", "produce", "eval", "topics", "config"})
    void shouldPrintHelpForEveryCommandAndExitZero(String command) {
        Run r = run(command, "--help");

        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).contains("Usage: hardneg " + command);
        assertThat(r.err()).isEmpty();
    }

    @Test
    void shouldListTheCommandsInTopLevelHelp() {
        Run r = run("--help");

        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).contains("serve", "demo", "produce", "eval", "topics");
    }

    @Test
    void shouldRefuseAnUnknownCommandInOneLine() {
        Run r = run("nope");

        assertOneLineUsageError(r, "hardneg", "'nope'", "hardneg --help");
    }

    @Test
    void shouldRefuseAnUnknownOptionInOneLine() {
        assertOneLineUsageError(run("demo", "--bogus"), "hardneg demo", "'--bogus'");
    }

    @Test
    void shouldRefuseZeroDemoImagesBeforeStartingAnything() {
        assertOneLineUsageError(run("demo", "--images", "0"), "hardneg demo", "--images must be 1..10000, found 0");
    }

    @Test
    void shouldRefuseANonNumericDemoImageCount() {
        assertOneLineUsageError(run("demo", "--images", "abc"), "hardneg demo", "'abc'", "--images");
    }

    @Test
    void shouldRefuseProduceWithoutInput() {
        assertOneLineUsageError(run("produce"), "hardneg produce", "Missing required argument", "--sample");
    }

    @Test
    void shouldRefuseANegativeRate(@TempDir Path dir) {
        assertOneLineUsageError(run("produce", "--rate", "-1", dir.toString()), "hardneg produce", "--rate", "found --rate -1.0");
    }

    @Test
    void shouldRefuseANegativeSkip(@TempDir Path dir) {
        assertOneLineUsageError(run("produce", "--skip", "-3", dir.toString()), "hardneg produce", "--skip",
                "found --rate 0.0 --skip -3");
    }

    @Test
    void shouldRefuseEvalOnFewerThanTwoImages() {
        assertOneLineUsageError(run("eval", "--images", "1"), "hardneg eval", "--images must be at least 2, found 1");
    }

    @Test
    void shouldRefuseAnUnknownEvalDeviceAsBadUsage() {
        assertOneLineUsageError(run("eval", "--device", "tpu"), "hardneg eval", "'tpu'", "auto, cpu, cuda, cuda:<id>");
    }

    @Test
    void shouldListEveryConfigurationKeyWithItsDefault() {
        Run r = run("config", "keys");

        assertThat(r.exitCode()).isZero();
        assertThat(r.out().lines()).hasSize(io.hardneg.config.ConfigKeys.all().size());
        assertThat(r.out()).containsPattern("(?m)^mining\\.soft\\.beta +5 +0\\.0\\.\\.1000000\\.0$")
                .containsPattern("(?m)^bootstrap\\.servers +\\(empty\\) ");
    }

    @Test
    void shouldPrintTheDocsTableOfKeys() {
        Run r = run("config", "keys", "--markdown");

        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).isEqualTo(io.hardneg.config.ConfigDoc.markdownTable());
    }

    @Test
    void shouldShowTheResolvedConfigurationWithSecretsMasked() {
        Run r = run("config", "show", "--set", "mining.suspect.k=9", "--set", "kafka.ssl.key.password=hunter2",
                "--device", "cpu");

        assertThat(r.exitCode()).as("stderr: %s", r.err()).isZero();
        assertThat(r.out()).contains("inference = Inference[device=cpu", "suspect=Suspect[enabled=true, tau=1.0, k=9",
                "kafkaOverrides = {ssl.key.password=[hidden]}").doesNotContain("hunter2");
    }

    @Test
    void shouldRefuseABadSettingToShowInOneLine() {
        Run r = run("config", "show", "--set", "mining.suspect.k=0");

        assertThat(r.exitCode()).isIn(1, 2);
        assertThat(r.errLines()).hasSize(1);
        assertThat(r.err()).startsWith("hardneg config show: error: mining.suspect.k=0 is out of range; expected 1..1000");
    }

    @Test
    void shouldListEveryTopicWithTheReplicationOfAReplicatedClusterWhenAsked() {
        // Given topics/ declaring 1 replica (fit for the in-process broker)
        // When listed for a 3-broker cluster
        Run r = run("topics", "list", "--replication-factor", "3", "--min-insync-replicas", "2");

        // Then every topic says 3 replicas and min ISR 2, keeping its own configs
        assertThat(r.exitCode()).as("stderr: %s", r.err()).isZero();
        String[] lines = r.out().strip().split("\\R");
        assertThat(lines).hasSize(7).allSatisfy(l -> assertThat(l).contains("replicas=3", "min.insync.replicas=2"));
        assertThat(r.out()).contains("cleanup.policy=compact");
        assertThat(run("topics", "list").out()).contains("replicas=1").doesNotContain("min.insync.replicas");
    }

    @Test
    void shouldRefuseAMinimumInSyncAboveTheReplicasInOneLine() {
        assertOneLineUsageError(run("topics", "list", "--replication-factor", "2", "--min-insync-replicas", "3"),
                "hardneg topics list", "min.insync.replicas 3 is more than its 2 replicas");
    }

    @Test
    void shouldRefuseABadServeSettingBeforeStartingABroker() {
        // Given a bad value (if the broker started first, this would bind 9092 and block until Ctrl-C)
        Run r = run("serve", "--set", "mining.alpha=abc");

        assertThat(r.exitCode()).isIn(1, 2);
        assertThat(r.errLines()).hasSize(1);
        assertThat(r.err()).startsWith("hardneg serve: error: ").contains("mining.alpha", "abc");
        assertThat(r.out()).doesNotContain("broker");
    }

    @Test
    void shouldRefuseAnExposedHttpHostWithoutTokenOrPublicInOneLineBeforeStartingABroker() {
        Run r = run("serve", "--set", "http.host=0.0.0.0");

        assertThat(r.exitCode()).isIn(1, 2);
        assertThat(r.errLines()).hasSize(1);
        assertThat(r.err()).startsWith("hardneg serve: error: http.host=0.0.0.0 serves the live page and its training "
                + "images beyond this machine; set http.auth.token-file (an access token) or http.public=true");
        assertThat(r.out()).doesNotContain("broker");
    }

    @Test
    void shouldNameAMissingModelPathInOneLine() {
        Run r = run("eval", "--model", "/nonexistent", "--images", "2");

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.errLines()).hasSize(1);
        assertThat(r.err()).startsWith("hardneg eval: error: ").contains("/nonexistent does not exist").doesNotContain("\tat ");
    }

    @Test
    void shouldNameAMissingConfigFile(@TempDir Path dir) {
        Path missing = dir.resolve("absent.properties");

        Run r = run("serve", "--config", missing.toString());

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.errLines()).hasSize(1);
        assertThat(r.err()).startsWith("hardneg serve: error: ").contains(missing.toString());
    }

    @Test
    void shouldPrintRecallAsJsonOnTheLastLine() throws Exception {
        // Given a model without held-out classes in its metadata
        Path model = Path.of("src/test/resources/models/unnormalised/1");
        assertThat(Files.isDirectory(model)).isTrue();

        Run r = run("eval", "--model", model.toString(), "--images", "200", "--json", "--device", "cpu");

        assertThat(r.exitCode()).as("stderr: %s", r.err()).isZero();
        String[] lines = r.out().strip().split("\\R");
        JsonNode json = new ObjectMapper().readTree(lines[lines.length - 1]);
        assertThat(json.get("images").asInt()).isEqualTo(200);
        assertThat(json.get("model_version").asText()).isEqualTo("1");
        // No held-out classes: that protocol has no query, so it is null rather than a number
        assertThat(json.has("recall_at_1_held_out")).isTrue();
        assertThat(json.get("recall_at_1_held_out").isNull()).isTrue();
        double seen = json.get("recall_at_1_seen").asDouble();
        double all = json.get("recall_at_1_all").asDouble();
        assertThat(all).isBetween(0.0, 1.0);
        // Everything is "seen" when nothing is held out
        assertThat(seen).isEqualTo(all);
        assertThat(r.out()).contains("held_out", "n/a");
    }
}
