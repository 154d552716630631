package io.hardneg.stream;

import io.hardneg.config.HardnegConfig;
import io.hardneg.error.ErrorCode;
import io.hardneg.error.InvalidInputException;
import io.hardneg.image.DecodeLimits;
import io.hardneg.mining.EmbeddedImage;
import io.hardneg.mining.MemoryBank;
import io.hardneg.mining.MiningChunks;
import io.hardneg.mining.MiningGuards;
import io.hardneg.mining.TripletMiner;
import io.hardneg.model.EmbeddingModel;
import io.hardneg.model.ModelProvider;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
 * Embeds images in batches and mines each labeled one against the memory bank: this class keeps Kafka Streams'
 * lifecycle (intake, the batch buffer, the linger punctuator) and hands each batch to its parts in turn —
 * {@link BatchDecoder}, {@link BatchInference}, {@link OutputRouter} and {@link DeadLetters}.
 *
 * <p>Accepted records wait in a changelogged store, not in a list: Kafka Streams commits input offsets
 * together with the store's changelog and our outputs in one transaction, so a crash between intake and
 * inference loses nothing and, under exactly_once_v2, duplicates nothing. A batch is drained when it is full
 * or when the linger punctuator fires.
 *
 * <p>A batch is full at {@link BatchSizer}'s size: {@code inference.batch.max} images, fewer where the model's
 * measured cost would make it take longer than {@code inference.batch.max-ms}.
 *
 * <p>With {@code inference.overlap} a batch's decode and inference run on a worker ({@link InferenceAhead}) while
 * this thread goes on; the batch stays in the store until its outputs are sent here, and the linger punctuator
 * publishes everything in flight and runs the partial batch here, so a light load takes the inline path.
 */
final class EmbedMineProcessor implements Processor<byte[], byte[], byte[], byte[]> {

    /** Per-record parts are timed on one record in this many, and charged for all of them. */
    private static final int RECORD_SAMPLE = 16;

    private static final Logger LOG = LoggerFactory.getLogger(EmbedMineProcessor.class);

    private final HardnegConfig config;
    private final ModelProvider models;
    private final PipelineObserver observer;
    private final TripletMiner miner;
    private final TripletJson json;
    private final SuspectJson suspectJson;
    private final InputValidator validator;
    private final MiningGuards guards;
    private final StageTimer timer;

    private ProcessorContext<byte[], byte[]> context;
    private DeadLetters deadLetters;
    private BatchBuffer<PendingImage> pending;
    private MemoryBank bank;
    private BatchDecoder decoder;
    private BatchInference inference;
    private OutputRouter router;
    private BatchSizer sizer;
    /** With {@code inference.overlap}: the worker that embeds the next batch; null when batches run inline. */
    private InferenceAhead ahead;

    /** Records seen while timing, to time one in {@link #RECORD_SAMPLE}. */
    private long records;

    EmbedMineProcessor(HardnegConfig config, ModelProvider models, PipelineObserver observer, TripletMiner miner,
                       TripletJson json, SuspectJson suspectJson, MiningGuards guards) {
        this(config, models, observer, miner, json, suspectJson, guards, StageTimer.NONE);
    }

    EmbedMineProcessor(HardnegConfig config, ModelProvider models, PipelineObserver observer, TripletMiner miner,
                       TripletJson json, SuspectJson suspectJson, MiningGuards guards, StageTimer timer) {
        this.timer = timer;
        this.config = config;
        this.models = models;
        this.observer = observer;
        this.miner = miner;
        this.json = json;
        this.suspectJson = suspectJson;
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
        this.decoder = new BatchDecoder(new DecodeLimits(config.input().maxImageBytes(), config.input().maxPixels()),
                observer, deadLetters);
        this.inference = new BatchInference(config.inference().batchMax(), observer, context.taskId());
        this.router = new OutputRouter(context, config, observer, deadLetters, json, suspectJson, guards, bank, timer);
        this.sizer = new BatchSizer(config.inference().batchMax(), config.inference().batchMaxMs());
        // Without the linger punctuator (per-record batches, or no linger) nothing would publish the last batch
        // in flight once input stops, and there is nothing to overlap: batches then run inline.
        long linger = config.inference().batchLingerMs();
        if (config.inference().overlap() && linger > 0 && config.inference().batchMax() > 1) {
            List<BatchInference> slots = new ArrayList<>();
            for (int i = 0; i < InferenceAhead.DEPTH; i++) {
                slots.add(new BatchInference(config.inference().batchMax(), observer, context.taskId()));
            }
            ahead = new InferenceAhead(context.taskId(), pending, sizer::size, models, slots,
                    this::embed, this::publish, this::processBatch, timer);
        }
        if (pending.size() > 0) {
            LOG.info("task {}: {} images restored into the batch buffer after a restart", context.taskId(),
                    pending.size());
        }
        if (linger > 0 && config.inference().batchMax() > 1) {
            context.schedule(Duration.ofMillis(linger), PunctuationType.WALL_CLOCK_TIME, ts -> drain(true));
        }
    }

    @Override
    public void close() {
        if (ahead != null) {
            ahead.close();
        }
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        if (ahead != null) {
            ahead.publishDone();
        }
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
        if (pending.full(sizer.size(), InferenceAhead.MAX_BATCH_BYTES)
                || config.inference().batchLingerMs() == 0) {
            drain(false);
        }
    }

    /** Drains full batches; with {@code everything}, the last partial one too. */
    private void drain(boolean everything) {
        if (ahead != null) {
            ahead.launch(everything);
        } else {
            pending.drain(sizer.size(), InferenceAhead.MAX_BATCH_BYTES, everything, this::processBatch, timer);
        }
    }

    /** The worker's part of a batch with {@code inference.overlap}: decode, then inference; sends nothing. */
    private InferenceAhead.Embedded embed(EmbeddingModel model, BatchInference slot, List<PendingImage> batch) {
        long t0 = System.nanoTime();
        long t = timer.start();
        BatchDecoder.Decoded decoded = decoder.decodeOnly(batch, slot.spec(), slot.input());
        t = timer.lap(StageTimer.Part.DECODE, t, 1);
        boolean[] failed = decoded.ok().isEmpty() ? new boolean[0] : slot.embed(model, decoded.ok().size());
        timer.lap(StageTimer.Part.INFERENCE, t, 1);
        sizer.observe(model.info().version(), batch.size(), System.nanoTime() - t0);
        return new InferenceAhead.Embedded(decoded, failed);
    }

    /** The stream thread's part of a batch the worker embedded. */
    private void publish(EmbeddingModel model, BatchInference slot, InferenceAhead.Embedded batch) {
        decoder.deadLetter(batch.decoded());
        if (!batch.decoded().ok().isEmpty()) {
            publish(model, slot, batch.decoded().ok(), batch.failed());
        }
    }

    private void processBatch(List<PendingImage> batch) {
        try (ModelProvider.Lease lease = models.acquire()) {
            EmbeddingModel model = lease.model();
            inference.ensureBuffers(model);
            long t0 = System.nanoTime();
            long t = timer.start();
            List<PendingImage> decoded = decoder.decode(batch, inference.spec(), inference.input());
            t = timer.lap(StageTimer.Part.DECODE, t, 1);
            if (decoded.isEmpty()) {
                return;
            }
            boolean[] failed = inference.embed(model, decoded.size());
            timer.lap(StageTimer.Part.INFERENCE, t, 1);
            sizer.observe(model.info().version(), batch.size(), System.nanoTime() - t0);
            publish(model, inference, decoded, failed);
        }
    }

    /** Sends the batch's embeddings, mines its labeled images and sends what the guards let through. */
    private void publish(EmbeddingModel model, BatchInference slot, List<PendingImage> decoded, boolean[] failed) {
        String version = model.info().version();
        FloatBuffer output = slot.output();
        int dim = slot.dim();
        long t = timer.start();
        t = router.embeddings(model, decoded, failed, output, dim, t);
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
        // One pass over the bank gives a chunk's triplets and mislabel verdicts; the chunk's entries reach the bank
        // before the next chunk is mined, so a batch into a fresh bank meets its own earlier images.
        long nanos = 0;
        for (int from = 0; from < anchors.size(); ) {
            int to = from + MiningChunks.next(bank.sizeOf(version), anchors.size() - from);
            List<EmbeddedImage> chunk = anchors.subList(from, to);
            long t0 = System.nanoTime();
            long judged = miner.detectorNanos();
            TripletMiner.Mined pass = miner.mine(bank, chunk, guards.detector());
            nanos += System.nanoTime() - t0;
            t = timer.lap(StageTimer.Part.MINING, t, 1);
            if (timer.enabled()) {
                // The detector's verdicts are suspect detection's own share of the pass (its workers' too).
                long verdicts = miner.detectorNanos() - judged;
                timer.add(StageTimer.Part.MINING, -verdicts);
                timer.add(StageTimer.Part.SUSPECTS, verdicts);
            }
            t = router.mined(chunk, pass, t);
            from = to;
        }
        observer.batchMined(anchors.size(), nanos);
    }
}
