package io.hardneg.stream;

import io.hardneg.config.HardnegConfig;
import io.hardneg.config.OutputFormat;
import io.hardneg.mining.EmbeddedImage;
import io.hardneg.mining.MemoryBank;
import io.hardneg.mining.MiningGuards;
import io.hardneg.mining.MislabelDetector;
import io.hardneg.mining.Triplet;
import io.hardneg.mining.TripletMiner;
import io.hardneg.model.EmbeddingModel;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Sends a batch's outputs to their sinks: embeddings (or dead letters for images the model failed on), triplets or
 * pairs the guards admit, suspects to review and bank entries. Each phase covers the whole batch, so that a timer
 * reads the clock a few times per batch, not per image; every method takes and returns the timer's last reading.
 * Bank entries are also written through to this instance's bank at once.
 */
final class OutputRouter {

    private final ProcessorContext<byte[], byte[]> context;
    private final HardnegConfig config;
    private final PipelineObserver observer;
    private final DeadLetters deadLetters;
    private final TripletJson json;
    private final SuspectJson suspectJson;
    private final MiningGuards guards;
    private final MemoryBank bank;
    private final StageTimer timer;

    OutputRouter(ProcessorContext<byte[], byte[]> context, HardnegConfig config, PipelineObserver observer,
                 DeadLetters deadLetters, TripletJson json, SuspectJson suspectJson, MiningGuards guards,
                 MemoryBank bank, StageTimer timer) {
        this.context = context;
        this.config = config;
        this.observer = observer;
        this.deadLetters = deadLetters;
        this.json = json;
        this.suspectJson = suspectJson;
        this.guards = guards;
        this.bank = bank;
        this.timer = timer;
    }

    /** Encodes and sends the embeddings ({@code dim} floats each in {@code output}) or dead letters, in input order. */
    long embeddings(EmbeddingModel model, List<PendingImage> decoded, boolean[] failed, FloatBuffer output, int dim,
                    long t) {
        byte[][] values = new byte[decoded.size()][];
        for (int i = 0; i < decoded.size(); i++) {
            values[i] = failed[i] ? null : EmbeddingCodec.encode(output, i * dim, dim);
        }
        t = timer.lap(StageTimer.Part.ENCODING, t, 1);
        byte[] versionBytes = model.info().version().getBytes(StandardCharsets.UTF_8);
        byte[] dimBytes = Integer.toString(dim).getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < decoded.size(); i++) {
            PendingImage p = decoded.get(i);
            if (failed[i]) {
                deadLetters.send(p, BatchInference.failure(model));
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
        return timer.lap(StageTimer.Part.SENDS, t, 1);
    }

    /** Suspects to review; for the others the triplets the guards admit, then their bank entries. */
    long mined(List<EmbeddedImage> anchors, TripletMiner.Mined pass, long t) {
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
            values.add(suspects.get(i) != null ? List.of(suspectRecord(suspects.get(i), now))
                    : config.output().format() == OutputFormat.PAIRS
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
        return timer.lap(StageTimer.Part.BANK_WRITES, t, 1);
    }

    /** The suspect-labels record's value; counts the suspicion. */
    private byte[] suspectRecord(MislabelDetector.Suspicion s, long now) {
        observer.suspected(s.anchor().label(), s.suggestedLabel());
        return suspectJson.suspicion(s, now);
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
        String key = MemoryBank.key(a.label(), a.id(), bank.perLabel());
        context.forward(new Record<>(key.getBytes(StandardCharsets.UTF_8), BankRecordCodec.encode(entry),
                a.timestamp()), MiningTopology.BANK_SINK);
        // Written through at once, so that the batch's next chunk and the next batches meet it before the global
        // thread reads it back from the topic; that read stores the same entry under the same key again. Should
        // this transaction abort, the entry stays here uncommitted until its key is written again: by the replay
        // (the same image, nearly always) or by a later image of its label and slot.
        bank.put(key, entry);
    }
}
