package io.hardneg.stream;

import ai.onnxruntime.OrtException;
import io.hardneg.config.HardnegConfig;
import io.hardneg.error.ErrorCode;
import io.hardneg.error.InvalidInputException;
import io.hardneg.image.DecodeLimits;
import io.hardneg.image.ImageDecoder;
import io.hardneg.image.InputSpec;
import io.hardneg.mining.EmbeddedImage;
import io.hardneg.mining.MislabelDetector;
import io.hardneg.mining.MemoryBank;
import io.hardneg.mining.Triplet;
import io.hardneg.mining.TripletMiner;
import io.hardneg.model.EmbeddingModel;
import io.hardneg.model.ModelProvider;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Embeds images in batches and mines each labeled one against the memory bank.
 *
 * <p>Accepted records wait in a changelogged store, not in a list: Kafka Streams commits input offsets
 * together with the store's changelog and our outputs in one transaction, so a crash between intake and
 * inference loses nothing and, under exactly_once_v2, duplicates nothing. A batch is drained when it is full
 * or when the linger punctuator fires.
 */
final class EmbedMineProcessor implements Processor<byte[], byte[], byte[], byte[]> {

    /** Below this many images, handing work to other cores costs more than it saves. */
    private static final int PARALLEL_DECODE_MIN = 8;

    /** Per-record parts are timed on one record in this many, and charged for all of them. */
    private static final int RECORD_SAMPLE = 16;

    private static final Logger LOG = LoggerFactory.getLogger(EmbedMineProcessor.class);

    private final HardnegConfig config;
    private final ModelProvider models;
    private final PipelineObserver observer;
    private final TripletMiner miner;
    private final TripletJson json;
    private final InputValidator validator;
    private final MiningGuards guards;
    private final StageTimer timer;

    private ProcessorContext<byte[], byte[]> context;
    private DeadLetters deadLetters;
    private BatchBuffer<PendingImage> pending;
    private MemoryBank bank;

    private InputSpec bufferSpec;
    private int bufferDim;
    private ImageDecoder decoder;
    private FloatBuffer input;
    private FloatBuffer output;
    private FloatBuffer singleInput;
    private FloatBuffer singleOutput;

    /** Records seen while timing, to time one in {@link #RECORD_SAMPLE}. */
    private long records;

    EmbedMineProcessor(HardnegConfig config, ModelProvider models, PipelineObserver observer, TripletMiner miner,
                       TripletJson json, MiningGuards guards) {
        this(config, models, observer, miner, json, guards, StageTimer.NONE);
    }

    EmbedMineProcessor(HardnegConfig config, ModelProvider models, PipelineObserver observer, TripletMiner miner,
                       TripletJson json, MiningGuards guards, StageTimer timer) {
        this.timer = timer;
        this.config = config;
        this.models = models;
        this.observer = observer;
        this.miner = miner;
        this.json = json;
        this.validator = new InputValidator(config.input());
        this.guards = guards;
    }

    @Override
    public void init(ProcessorContext<byte[], byte[]> context) {
        this.context = context;
        this.deadLetters = new DeadLetters(context, observer);
        KeyValueStore<Bytes, byte[]> store = context.getStateStore(MiningTopology.PENDING_STORE);
        this.pending = new BatchBuffer<>(store, PendingImage::encode, PendingImage::decode);
        MemoryBankStore bankStore = context.getStateStore(MemoryBankStore.NAME);
        this.bank = bankStore.bank();
        if (pending.size() > 0) {
            LOG.info("task {}: {} images restored into the batch buffer after a restart", context.taskId(),
                    pending.size());
        }
        long linger = config.inference().batchLingerMs();
        if (linger > 0 && config.inference().batchMax() > 1) {
            context.schedule(Duration.ofMillis(linger), PunctuationType.WALL_CLOCK_TIME, ts -> drain(true));
        }
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        RecordMetadata md = context.recordMetadata().orElseThrow();
        // A thread CPU reading can cost more than this record's validation and put: time a sample of records.
        boolean timed = timer.enabled() && ++records % RECORD_SAMPLE == 0;
        long t = timed ? timer.start() : 0;
        String label;
        try {
            label = validator.validate(record.value(), record.headers());
        } catch (InvalidInputException e) {
            boolean keepHeaders = e.code() != ErrorCode.TOO_MANY_HEADERS;
            deadLetters.send(record.key(), record.value(), keepHeaders ? record.headers() : new RecordHeaders(),
                    record.timestamp(), md.topic(), md.partition(), md.offset(), e);
            return;
        }
        t = timed ? timer.lap(StageTimer.Part.GUARDS, t, RECORD_SAMPLE) : 0;
        String id = record.key() != null ? new String(record.key(), StandardCharsets.UTF_8)
                : md.topic() + "-" + md.partition() + "-" + md.offset();
        PendingImage p = new PendingImage(id, label, record.key(), record.value(), record.timestamp(), md.topic(),
                md.partition(), md.offset());
        pending.put(md.offset(), p);
        if (timed) {
            timer.lap(StageTimer.Part.CHANGELOG, t, RECORD_SAMPLE);
        }
        if (pending.size() >= config.inference().batchMax() || config.inference().batchLingerMs() == 0) {
            drain(false);
        }
    }

    /** Drains full batches; with {@code everything}, the last partial one too. */
    private void drain(boolean everything) {
        pending.drain(config.inference().batchMax(), everything, this::processBatch, timer);
    }

    private void processBatch(List<PendingImage> batch) {
        try (ModelProvider.Lease lease = models.acquire()) {
            EmbeddingModel model = lease.model();
            ensureBuffers(model);
            long t = timer.start();
            List<PendingImage> decoded = decodeAll(batch);
            t = timer.lap(StageTimer.Part.DECODE, t, 1);
            if (decoded.isEmpty()) {
                return;
            }
            boolean[] failed = embed(model, decoded.size());
            timer.lap(StageTimer.Part.INFERENCE, t, 1);
            publish(model, decoded, failed);
        }
    }

    /**
     * Decodes the batch into the input buffer, on all cores when the batch is large enough to pay for it: with a
     * heavy model decoding is a fifth of a batch's time, and it would otherwise run on one core while the other
     * waits for inference. Failures are dead-lettered here, on the stream thread, in input order.
     */
    private List<PendingImage> decodeAll(List<PendingImage> batch) {
        int n = batch.size();
        int size = bufferSpec.size();
        InvalidInputException[] errors = new InvalidInputException[n];
        java.util.function.IntConsumer decodeOne = i -> {
            long t0 = System.nanoTime();
            try {
                decoder.decodeInto(batch.get(i).image(), input, i * size);
                observer.decoded(System.nanoTime() - t0);
            } catch (InvalidInputException e) {
                errors[i] = e;
            }
        };
        if (n >= PARALLEL_DECODE_MIN && Runtime.getRuntime().availableProcessors() > 1) {
            java.util.stream.IntStream.range(0, n).parallel().forEach(decodeOne);
        } else {
            for (int i = 0; i < n; i++) {
                decodeOne.accept(i);
            }
        }
        List<PendingImage> decoded = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            if (errors[i] != null) {
                deadLetters.send(batch.get(i), errors[i]);
                continue;
            }
            int slot = decoded.size();
            if (slot != i) {
                // Close the gap a failed image left, so the batch stays contiguous for inference.
                for (int k = 0; k < size; k++) {
                    input.put(slot * size + k, input.get(i * size + k));
                }
            }
            decoded.add(batch.get(i));
        }
        return decoded;
    }

    /**
     * Runs the batch; a failure is retried once, then each image alone, so one image that breaks the model is
     * dead-lettered ({@code INFERENCE_FAILED}) and its neighbours still go through.
     */
    private boolean[] embed(EmbeddingModel model, int n) {
        boolean[] failed = new boolean[n];
        long t0 = System.nanoTime();
        OrtException last = null;
        for (int attempt = 0; attempt < 2; attempt++) {
            try {
                model.embed(input, output, n);
                observer.batchEmbedded(n, System.nanoTime() - t0, model.info().version(), model.device().name());
                return failed;
            } catch (OrtException | RuntimeException e) {
                last = e instanceof OrtException oe ? oe : new OrtException(e.toString());
                LOG.warn("task {}: inference of a batch of {} failed (attempt {}): {}", context.taskId(), n,
                        attempt + 1, e.getMessage());
            }
        }
        int size = bufferSpec.size();
        int dim = bufferDim;
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < size; k++) {
                singleInput.put(k, input.get(i * size + k));
            }
            try {
                model.embed(singleInput, singleOutput, 1);
                for (int k = 0; k < dim; k++) {
                    output.put(i * dim + k, singleOutput.get(k));
                }
            } catch (OrtException | RuntimeException e) {
                failed[i] = true;
                last = e instanceof OrtException oe ? oe : new OrtException(e.toString());
            }
        }
        LOG.warn("task {}: batch of {} retried image by image; last error: {}", context.taskId(), n,
                last == null ? "none" : last.getMessage());
        return failed;
    }

    /**
     * Sends the batch's embeddings, mines its labeled images and sends what the guards let through, in phases over
     * the whole batch so that a timer reads the clock a few times per batch, not per image.
     */
    private void publish(EmbeddingModel model, List<PendingImage> decoded, boolean[] failed) {
        String version = model.info().version();
        int dim = bufferDim;
        long t = timer.start();
        byte[][] values = new byte[decoded.size()][];
        for (int i = 0; i < decoded.size(); i++) {
            values[i] = failed[i] ? null : EmbeddingCodec.encode(output, i * dim, dim);
        }
        t = timer.lap(StageTimer.Part.ENCODING, t, 1);
        sendEmbeddings(model, decoded, failed, values);
        t = timer.lap(StageTimer.Part.SENDS, t, 1);
        List<EmbeddedImage> anchors = new ArrayList<>();
        for (int i = 0; i < decoded.size(); i++) {
            PendingImage p = decoded.get(i);
            if (!failed[i] && p.label() != null && !guards.isDuplicate(p.id(), p.image())) {
                float[] e = new float[dim];
                output.get(i * dim, e);
                anchors.add(new EmbeddedImage(p.id(), p.label(), version, e, p.image(), p.timestamp()));
            }
        }
        t = timer.lap(StageTimer.Part.GUARDS, t, 1);
        if (anchors.isEmpty() || bank.dim() != dim) {
            return;
        }
        // One pass over the bank gives the triplets and the mislabel verdicts.
        long t0 = System.nanoTime();
        long judged = miner.detectorNanos();
        TripletMiner.Mined pass = miner.mine(bank, anchors, guards.detector());
        observer.batchMined(anchors.size(), System.nanoTime() - t0);
        t = timer.lap(StageTimer.Part.MINING, t, 1);
        if (timer.enabled()) {
            // The detector's verdicts are suspect detection's own share of the pass (its workers' too).
            long verdicts = miner.detectorNanos() - judged;
            timer.add(StageTimer.Part.MINING, -verdicts);
            timer.add(StageTimer.Part.SUSPECTS, verdicts);
        }
        sendMined(anchors, pass, t);
    }

    /** The embeddings (or, for images the model failed on, dead letters), in input order. */
    private void sendEmbeddings(EmbeddingModel model, List<PendingImage> decoded, boolean[] failed,
                                byte[][] values) {
        byte[] versionBytes = model.info().version().getBytes(StandardCharsets.UTF_8);
        byte[] dimBytes = Integer.toString(bufferDim).getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < decoded.size(); i++) {
            PendingImage p = decoded.get(i);
            if (failed[i]) {
                deadLetters.send(p, new InvalidInputException(ErrorCode.INFERENCE_FAILED, "model " + model.info().name()
                        + " v" + model.info().version() + " failed on this image twice"));
                continue;
            }
            Headers h = new RecordHeaders();
            h.add(RecordHeaderNames.MODEL_VERSION, versionBytes);
            h.add(RecordHeaderNames.DIM, dimBytes);
            if (p.label() != null) {
                h.add(RecordHeaderNames.LABEL, p.label().getBytes(StandardCharsets.UTF_8));
            }
            byte[] id = p.id().getBytes(StandardCharsets.UTF_8);
            context.forward(new Record<>(id, values[i], p.timestamp(), h), MiningTopology.EMBEDDINGS_SINK);
            // Counted once its outcome is known, so accepted + dead-lettered = records read.
            observer.accepted(p.label() != null);
            observer.embedded(p.timestamp());
        }
    }

    /**
     * Suspects to review; for the others the triplets the guards admit, then their bank entries. {@code t} is the
     * timer's last reading.
     */
    private void sendMined(List<EmbeddedImage> anchors, TripletMiner.Mined pass, long t) {
        List<List<Triplet>> mined = pass.triplets();
        List<MislabelDetector.Suspicion> suspects = pass.suspects();
        int n = anchors.size();
        List<List<Triplet>> published = new ArrayList<>(n);
        int[] limited = new int[n];
        for (int i = 0; i < n; i++) {
            published.add(suspects.get(i) != null ? List.of() : admit(anchors.get(i), mined.get(i), limited, i));
        }
        t = timer.lap(StageTimer.Part.GUARDS, t, 1);
        List<List<byte[]>> values = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            long now = System.currentTimeMillis();
            // A suspected mislabel goes to review: not to retraining, not into the bank.
            values.add(suspects.get(i) != null ? List.of(guards.suspectRecord(suspects.get(i), now))
                    : config.output().format() == io.hardneg.config.OutputFormat.PAIRS
                    ? json.pairs(published.get(i), now)
                    : published.get(i).stream().map(tr -> json.triplet(tr, now)).toList());
        }
        t = timer.lap(StageTimer.Part.ENCODING, t, 1);
        for (int i = 0; i < n; i++) {
            EmbeddedImage a = anchors.get(i);
            byte[] key = a.id().getBytes(StandardCharsets.UTF_8);
            String sink = suspects.get(i) != null ? MiningTopology.SUSPECT_SINK : MiningTopology.HARD_NEGATIVES_SINK;
            for (byte[] v : values.get(i)) {
                context.forward(new Record<>(key, v, a.timestamp()), sink);
            }
            if (suspects.get(i) == null) {
                observer.mined(published.get(i), limited[i]);
            }
        }
        t = timer.lap(StageTimer.Part.SENDS, t, 1);
        for (int i = 0; i < n; i++) {
            if (suspects.get(i) == null) {
                writeBank(anchors.get(i));
            }
        }
        timer.lap(StageTimer.Part.BANK_WRITES, t, 1);
    }

    /** The triplets of anchor {@code a} the guards let through; counts the rate-limited ones in {@code limited[i]}. */
    private List<Triplet> admit(EmbeddedImage a, List<Triplet> mined, int[] limited, int i) {
        List<Triplet> published = new ArrayList<>();
        for (Triplet t : mined) {
            MiningGuards.Verdict v = guards.admit(bank, a, t);
            if (v == MiningGuards.Verdict.PUBLISH) {
                published.add(t);
            } else if (v == MiningGuards.Verdict.RATE_LIMITED) {
                limited[i]++;
            }
        }
        return published;
    }

    private void writeBank(EmbeddedImage a) {
        // Big images stay out of the bank topic (and so out of other instances' memory and of triplets).
        boolean keepImage = config.output().includeImages() && a.image().length <= config.bank().maxImageBytes();
        EmbeddedImage entry = keepImage ? a
                : new EmbeddedImage(a.id(), a.label(), a.modelVersion(), a.embedding(), null, a.timestamp());
        context.forward(new Record<>(MemoryBank.key(a.label(), a.id(), bank.perLabel())
                .getBytes(StandardCharsets.UTF_8), BankRecordCodec.encode(entry), a.timestamp()),
                MiningTopology.BANK_SINK);
    }

    private void ensureBuffers(EmbeddingModel model) {
        InputSpec spec = model.info().inputSpec();
        int dim = model.info().embeddingDim();
        if (spec.equals(bufferSpec) && dim == bufferDim && input != null) {
            return;
        }
        int max = config.inference().batchMax();
        input = model.allocateInput(max);
        output = model.allocateOutput(max);
        singleInput = model.allocateInput(1);
        singleOutput = model.allocateOutput(1);
        decoder = new ImageDecoder(spec, new DecodeLimits(config.input().maxImageBytes(),
                config.input().maxPixels()));
        bufferSpec = spec;
        bufferDim = dim;
    }
}
