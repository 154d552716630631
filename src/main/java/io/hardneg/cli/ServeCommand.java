package io.hardneg.cli;

import io.hardneg.broker.BrokerOptions;
import io.hardneg.broker.EmbeddedKafkaBroker;
import io.hardneg.config.HardnegConfig;
import io.hardneg.service.HardnegService;
import io.hardneg.stream.PipelineObserver;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code hardneg serve}: the service, against a cluster or a broker it starts in-process. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Runs the service until SIGTERM/Ctrl-C.",
                "Without --bootstrap-servers it starts a real single-node KRaft broker in this process."})
final class ServeCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ConfigOptions options;

    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT", description = "Kafka cluster to use.")
    String bootstrapServers;

    @Option(names = "--embedded-port", defaultValue = "9092",
            description = "Port of the in-process broker (default: ${DEFAULT-VALUE}).")
    int embeddedPort;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "Log directory of the in-process broker (default: a temp dir deleted on exit).")
    Path dataDir;

    @Option(names = "--http-port", paramLabel = "PORT", description = "HTTP port for /metrics, /health and / (http.port).")
    Integer httpPort;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Map<String, String> flags = new LinkedHashMap<>();
        if (httpPort != null) {
            flags.put("http.port", Integer.toString(httpPort));
        }
        EmbeddedKafkaBroker broker = null;
        if (bootstrapServers == null) {
            HardnegConfig probe = options.load(flags);
            if (probe.bootstrapServers().isBlank()) {
                BrokerOptions bo = BrokerOptions.defaults().withPort(embeddedPort);
                if (dataDir != null) {
                    bo = bo.withDataDir(dataDir);
                }
                broker = EmbeddedKafkaBroker.start(bo);
                bootstrapServers = broker.bootstrapServers();
                out.println("in-process Kafka broker (KRaft) listening on " + bootstrapServers);
            }
        }
        if (bootstrapServers != null) {
            flags.put("bootstrap.servers", bootstrapServers);
        }
        HardnegConfig config = options.load(flags);
        CountDownLatch stopped = new CountDownLatch(1);
        EmbeddedKafkaBroker ownedBroker = broker;
        try (Runtime runtime = new Runtime(config, ownedBroker)) {
            java.lang.Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                runtime.close();
                stopped.countDown();
            }, "hardneg-shutdown"));
            out.println("hardneg serving: images from '" + io.hardneg.stream.Topics.IMAGES.name() + "' on "
                    + config.bootstrapServers() + " (Ctrl-C to stop)");
            out.flush();
            if (!runtime.service.awaitRunning(Duration.ofMinutes(2))) {
                throw new IllegalStateException("Kafka Streams did not reach RUNNING (state "
                        + runtime.service.streams().state() + ")");
            }
            out.println("running: model " + runtime.service.model().info().name() + " v"
                    + runtime.service.model().info().version() + " on " + runtime.service.model().device().name()
                    + "; live page http://" + config.http().host() + ":" + runtime.service.httpPort() + "/"
                    // The token's file, never the token: this line ends up in terminals and logs.
                    + (config.http().tokenFile() == null ? ""
                            : "?token=<the token in " + config.http().tokenFile() + ">"));
            out.flush();
            stopped.await();
        }
        return 0;
    }

    /** The service and the broker it may own, closed once whichever of Ctrl-C or an error comes first. */
    static final class Runtime implements AutoCloseable {
        final HardnegService service;
        private final EmbeddedKafkaBroker broker;
        private boolean closed;

        Runtime(HardnegConfig config, EmbeddedKafkaBroker broker) throws Exception {
            this.broker = broker;
            try {
                this.service = HardnegService.start(config, PipelineObserver.NONE);
            } catch (Exception | Error e) {
                if (broker != null) {
                    broker.close();
                }
                throw e;
            }
        }

        @Override
        public synchronized void close() {
            if (closed) {
                return;
            }
            closed = true;
            service.close();
            if (broker != null) {
                broker.close();
            }
        }
    }
}
