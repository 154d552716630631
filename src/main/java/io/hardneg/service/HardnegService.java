package io.hardneg.service;

import io.hardneg.config.ConfigKeys;
import io.hardneg.config.ConfigLoader;
import io.hardneg.config.HardnegConfig;
import io.hardneg.mining.Backpressure;
import io.hardneg.mining.MemoryBank;
import io.hardneg.model.EmbeddingModel;
import io.hardneg.model.ModelLoadException;
import io.hardneg.model.ModelOptions;
import io.hardneg.model.ModelRegistry;
import io.hardneg.model.ModelSource;
import io.hardneg.stream.MiningTopology;
import io.hardneg.stream.PipelineObserver;
import io.hardneg.stream.StageTimer;
import io.hardneg.stream.StreamThreads;
import io.hardneg.stream.StreamsSettings;
import io.hardneg.stream.Topics;
import io.hardneg.update.ModelUpdateListener;
import io.hardneg.update.ModelVerifier;
import io.hardneg.web.AccessToken;
import io.hardneg.topics.TopicProvisioner;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running hardneg instance: the model, the topics made to match {@code topics/}, and the Kafka Streams
 * application. Several instances with the same application id share the partitions.
 */
public final class HardnegService implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(HardnegService.class);

    private final HardnegConfig config;
    private final ModelRegistry models;
    private final MemoryBank bank;
    private final KafkaStreams streams;
    private final Path stateDir;
    private final Observability observability;
    private ModelUpdateListener updates;
    private ConsumerLagMonitor lagMonitor;

    private HardnegService(HardnegConfig config, ModelRegistry models, MemoryBank bank, KafkaStreams streams,
                           Path stateDir, Observability observability) {
        this.config = config;
        this.models = models;
        this.bank = bank;
        this.streams = streams;
        this.stateDir = stateDir;
        this.observability = observability;
    }

    /**
     * Loads the configured model (or the one in the jar), provisions topics, starts the stream and the HTTP
     * endpoints; {@code extra} also hears every pipeline event (tests, tools).
     */
    public static HardnegService start(HardnegConfig config, PipelineObserver extra) throws ModelLoadException {
        return start(config, extra, StageTimer.NONE);
    }

    /** As above, with the processor's work timed part by part by {@code timer} (the bench's). */
    public static HardnegService start(HardnegConfig config, PipelineObserver extra, StageTimer timer)
            throws ModelLoadException {
        if (config.bootstrapServers().isBlank()) {
            throw new IllegalArgumentException("bootstrap.servers is empty: name a Kafka cluster");
        }
        ModelSource source = config.modelPath() == null ? ModelSource.defaultModel() : ModelSource.path(config.modelPath());
        ModelOptions modelOptions = new ModelOptions(config.inference().device(), config.inference().threads(),
                config.inference().spin(), null, null);
        byte[] hmacKey = readHmacKey(config);
        // Read once, before anything slow starts: a wrong path fails in a second, not after the model loads.
        AccessToken httpToken = AccessToken.readFrom(config.http().tokenFile());
        EmbeddingModel model = EmbeddingModel.load(source, modelOptions);
        try {
            LOG.info("model {} v{} ({}-dim embeddings, input {}x{}x{}) on {}", model.info().name(),
                    model.info().version(), model.info().embeddingDim(), model.info().inputSpec().channels(),
                    model.info().inputSpec().height(), model.info().inputSpec().width(), model.device().name());
            int partitions = provisionTopics(config);
            int threads = StreamThreads.resolve(config.streams().threads(), partitions);
            LOG.info("{} stream thread(s) ({}; {} cores, {} partitions of {})", threads,
                    config.streams().threads() == ConfigKeys.STREAMS_THREADS_AUTO ? "auto" : "streams.threads",
                    Runtime.getRuntime().availableProcessors(), partitions, Topics.IMAGES.name());
            logHeapBudget(config, model, partitions, threads);
            MemoryBank bank = new MemoryBank(model.info().embeddingDim(), config.bank().perLabel(), config.bank().max(),
                    config.bank().imagesMaxBytes());
            Path stateDir = Files.createTempDirectory("hardneg-streams-");
            Observability obs = new Observability(bank);
            PipelineObserver observer = PipelineObserver.of(obs.metrics(), obs.liveView(), extra);
            ModelRegistry registry = new ModelRegistry(model, m -> observer.modelSwapped(m.info(), m.device()));
            observer.modelSwapped(model.info(), model.device());
            HardnegConfig.Mining.Backpressure bp = config.mining().backpressure();
            Backpressure backpressure = new Backpressure(bp.maxLag(), bp.minFactor());
            KafkaStreams streams = new KafkaStreams(
                    MiningTopology.build(config, registry, bank, observer, backpressure, timer),
                    StreamsSettings.of(config, stateDir.toString(), threads));
            // A thread that dies on an unexpected error is replaced; its task resumes from the last commit.
            streams.setUncaughtExceptionHandler(e -> {
                LOG.error("stream thread failed; replacing it", e);
                return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
            });
            HardnegService service = new HardnegService(config, registry, bank, streams, stateDir, obs);
            obs.start(config.http(), httpToken, streams, registry);
            if (backpressure.enabled()) {
                service.lagMonitor = new ConsumerLagMonitor(config.bootstrapServers(), config.kafkaOverrides(),
                        backpressure, observer, bp.intervalMs());
            }
            streams.start();
            if (config.modelUpdates().enabled()) {
                service.updates = new ModelUpdateListener(config.bootstrapServers(), config.kafkaOverrides(), registry,
                        new ModelVerifier(hmacKey, modelOptions), observer);
                service.updates.start();
            }
            LOG.info("hardneg '{}' consuming from {} (kafka settings: {})", config.applicationId(),
                    config.bootstrapServers(), ConfigLoader.redacted(config.kafkaOverrides()));
            return service;
        } catch (IOException e) {
            model.close();
            throw new UncheckedIOException("cannot create the Kafka Streams state directory", e);
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
    }

    private static byte[] readHmacKey(HardnegConfig config) {
        Path file = config.modelUpdates().hmacKeyFile();
        if (file == null) {
            return null;
        }
        try {
            byte[] key = Files.readAllBytes(file);
            if (key.length == 0) {
                throw new IllegalArgumentException("model.hmac-key-file " + file + " is empty");
            }
            return key;
        } catch (IOException e) {
            throw new IllegalArgumentException("model.hmac-key-file " + file + " cannot be read: " + e.getMessage(), e);
        }
    }

    /** Creates the missing topics; returns the input's partitions as the cluster has them. */
    static int provisionTopics(HardnegConfig config) {
        TopicProvisioner.Report report = TopicProvisioner.provisionBundled(config.bootstrapServers(),
                config.kafkaOverrides(), config.replication().factor(), config.replication().minInsyncReplicas());
        if (!report.created().isEmpty()) {
            LOG.info("created topics {}", report.created());
        }
        report.warnings().forEach(w -> LOG.warn("topic check: {}", w));
        return report.partitionsOf(Topics.IMAGES.name());
    }

    /** Says what the worst case needs and warns when -Xmx is below it: an OOM later would be harder to read. */
    private static void logHeapBudget(HardnegConfig config, EmbeddingModel model, int partitions, int threads) {
        HeapBudget budget = HeapBudget.of(config, model.info().inputSpec(), model.info().embeddingDim(),
                Math.max(1, partitions), threads);
        long max = java.lang.Runtime.getRuntime().maxMemory();
        if (max < budget.total()) {
            LOG.warn("worst-case heap for this configuration is {}, above -Xmx {} MiB; lower input.max-bytes, "
                    + "inference.batch.max, bank.max or streams.threads, or raise -Xmx", budget.describe(),
                    HeapBudget.mib(max));
        } else {
            LOG.info("worst-case heap for this configuration: {}; -Xmx {} MiB", budget.describe(), HeapBudget.mib(max));
        }
    }

    /** Blocks until the stream is RUNNING; false on timeout or when it failed. */
    public boolean awaitRunning(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            KafkaStreams.State s = streams.state();
            if (s == KafkaStreams.State.RUNNING) {
                return true;
            }
            if (s == KafkaStreams.State.ERROR || s == KafkaStreams.State.NOT_RUNNING) {
                return false;
            }
            Thread.sleep(50);
        }
        return false;
    }

    public HardnegConfig config() {
        return config;
    }

    /** The model serving now; it may be swapped by a model update at any time. */
    public EmbeddingModel model() {
        return models.current();
    }

    public MemoryBank bank() {
        return bank;
    }

    public KafkaStreams streams() {
        return streams;
    }

    /** The port of the HTTP endpoints ({@code http.port=0} picks a free one). */
    public int httpPort() {
        return observability.httpPort();
    }

    /** The Prometheus scrape, as {@code /metrics} serves it. */
    public String scrape() {
        return observability.scrape();
    }

    /** Stops consuming, commits, and releases the model and the local state. */
    @Override
    public void close() {
        if (updates != null) {
            updates.close();
        }
        if (lagMonitor != null) {
            lagMonitor.close();
        }
        observability.closeHttp();
        // The state dir is a temp dir deleted below, so staying in the group buys nothing: leave it now, and the
        // other instances take the partitions at once instead of after session.timeout.ms (45 s).
        streams.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                .withTimeout(Duration.ofSeconds(30)));
        observability.close();
        models.close();
        deleteQuietly(stateDir);
    }

    private static void deleteQuietly(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            LOG.debug("could not delete {}: {}", dir, e.getMessage());
        }
    }
}
