package io.hardneg.cli;

import io.hardneg.update.ModelAnnouncement;
import io.hardneg.update.ModelPublisher;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code hardneg model}: model repository operations. */
@Command(name = "model", mixinStandardHelpOptions = true, description = "Model operations.",
        subcommands = ModelCommand.Publish.class)
final class ModelCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "missing subcommand: publish");
    }

    /** {@code hardneg model publish DIR}: announces a model version to every running instance. */
    @Command(name = "publish", mixinStandardHelpOptions = true,
            description = "Publishes a model directory (or .onnx file) to the model-updates topic; running instances "
                    + "verify it and hot-swap it in.")
    static final class Publish implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "DIR", description = "Model directory (<name>/<version>/model.onnx layout) or .onnx file.")
        Path dir;

        @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT[,...]",
                description = "Default: bootstrap.servers from the configuration, else 127.0.0.1:9092.")
        String bootstrapServers;

        @Mixin
        KafkaClientOptions kafka;

        @Option(names = "--hmac-key-file", paramLabel = "FILE", description = "Sign with HMAC-SHA256 under this key.")
        Path hmacKeyFile;

        @Override
        public Integer call() throws Exception {
            byte[] key = null;
            if (hmacKeyFile != null) {
                if (!Files.isRegularFile(hmacKeyFile)) {
                    throw new ParameterException(spec.commandLine(), "--hmac-key-file " + hmacKeyFile + " does not exist");
                }
                key = Files.readAllBytes(hmacKeyFile);
            }
            ModelAnnouncement a = ModelPublisher.announce(dir, key);
            String bootstrap = kafka.bootstrapServers(bootstrapServers, KafkaClientOptions.DEFAULT_BOOTSTRAP);
            Map<String, String> settings = new LinkedHashMap<>();
            kafka.clientSettings().forEach((k, v) -> settings.put(k, String.valueOf(v)));
            ModelPublisher.publish(bootstrap, settings, a);
            PrintWriter out = spec.commandLine().getOut();
            out.printf("published %s v%s (%d bytes, sha256 %s%s) to model-updates on %s%n", a.name(), a.version(), a.size(),
                    a.sha256().substring(0, 12), a.hmacSha256() == null ? ", unsigned" : ", signed",
                    bootstrap);
            out.flush();
            return 0;
        }
    }
}
