package io.hardneg.bench;

import io.hardneg.config.HardnegConfig;
import io.hardneg.mining.MemoryBank;
import io.hardneg.service.HardnegService;
import io.hardneg.stream.PipelineObserver;
import io.hardneg.stream.StageTimer;
import io.hardneg.stream.StreamsSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.streams.KafkaStreams;

/** The applications the streaming stages start: the service itself, or the passthrough topology. */
final class BenchApps {

    private BenchApps() {
    }

    /** Starts a stage's application. */
    @FunctionalInterface
    interface Starter {
        Running start() throws Exception;
    }

    /** A started application: its Kafka Streams (for its clients' metrics), and what stops it. */
    record Running(KafkaStreams streams, AutoCloseable stop) implements AutoCloseable {
        @Override
        public void close() throws Exception {
            stop.close();
        }

        static Running of(HardnegService service) {
            return new Running(service.streams(), service);
        }
    }

    /** A fresh application id for each stage, so that each reads the backlog from its start. */
    static Map<String, String> stageFlags(String bootstrap, String stage, Map<String, String> extra) {
        Map<String, String> m = new LinkedHashMap<>(extra);
        m.put("bootstrap.servers", bootstrap);
        m.put("application.id", "hardneg-bench-" + stage + "-" + System.nanoTime());
        return m;
    }

    static HardnegService startService(HardnegConfig config) throws Exception {
        return startService(config, PipelineObserver.NONE);
    }

    static HardnegService startService(HardnegConfig config, PipelineObserver observer) throws Exception {
        return startService(config, observer, StageTimer.NONE);
    }

    static HardnegService startService(HardnegConfig config, PipelineObserver observer, StageTimer timer)
            throws Exception {
        HardnegService service = HardnegService.start(config, observer, timer);
        if (!service.awaitRunning(Duration.ofMinutes(2))) {
            service.close();
            throw new IllegalStateException("the service did not reach RUNNING");
        }
        return service;
    }

    static Running startPassthrough(HardnegConfig config, int dim) throws Exception {
        Path state = Files.createTempDirectory("hardneg-bench-streams-");
        MemoryBank bank = new MemoryBank(dim, config.bank().perLabel(), config.bank().max(),
                config.bank().imagesMaxBytes());
        KafkaStreams streams = new KafkaStreams(PassthroughTopology.build(config, dim, bank),
                StreamsSettings.of(config, state.toString()));
        streams.start();
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (streams.state() != KafkaStreams.State.RUNNING) {
            if (System.nanoTime() > deadline || streams.state() == KafkaStreams.State.ERROR) {
                streams.close(Duration.ofSeconds(10));
                throw new IllegalStateException("the passthrough topology did not reach RUNNING: " + streams.state());
            }
            Thread.sleep(20);
        }
        return new Running(streams, () -> {
            streams.close(Duration.ofSeconds(30));
            deleteQuietly(state);
        });
    }

    private static void deleteQuietly(Path dir) {
        try (var paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // temp files only
        }
    }
}
