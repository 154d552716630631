package io.hardneg.service;

import io.hardneg.config.HardnegConfig;
import io.hardneg.image.InputSpec;
import io.hardneg.stream.InferenceAhead;
import io.hardneg.stream.StreamThreads;
import io.hardneg.stream.StreamsSettings;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The worst-case Java heap of one instance for a configuration: every buffer that grows with input is bounded by
 * a setting, and this adds those bounds up, term by term, so that start-up can say whether {@code -Xmx} holds them.
 *
 * <p>The terms (bytes; M = {@code input.max-bytes}, B = {@code inference.batch.max}, Q = min(B, 64), the input
 * queue's records, A = a batch's images at most, min(B·M, max(8 MiB, M)) ({@code InferenceAhead.MAX_BATCH_BYTES}),
 * T = stream threads ({@code streams.threads} resolved by {@code StreamThreads}), P = input partitions an instance
 * may own, C/H/W/D = the model's input and embedding sizes, F = {@code fetch.max.bytes}):
 * <ul>
 *   <li>input queue: Kafka Streams buffers at most {@code buffered.records.per.partition} (= Q, see
 *       StreamsSettings) per partition and each thread's poll adds at most {@code max.poll.records} (= Q):
 *       (P·Q + T·Q)·M, plus the consumers' prefetch: each of the T consumers holds at most max(F, Pₜ·M) for its
 *       Pₜ partitions, which over the threads is at most max(F, P·M) + (T − 1)·F;</li>
 *   <li>batch buffer: each of the P tasks' stores holds less than a full batch before it is taken, at most
 *       min(B·M, 8 MiB + M), as the record and as its stored copy: P·2·min(B·M, 8 MiB + M); with
 *       {@code inference.overlap}, each task also holds batches in flight, their images at most
 *       min({@code InferenceAhead.MAX_BYTES_IN_FLIGHT}, DEPTH·A), each of the DEPTH with its own tensors:
 *       P·(min(16 MiB, 2·A) + 2·(B·C·H·W·4 + B·D·4));</li>
 *   <li>decode: one image at a time per thread, at most {@code input.max-pixels} pixels of up to 8 bytes (16-bit
 *       RGBA) plus the float planes, C·4 bytes a pixel;</li>
 *   <li>producer: {@code buffer.memory} per thread (EOS v2: one producer a thread), plus one triplet record being
 *       built (three images base64, as a String and as bytes: 8·M when images are included);</li>
 *   <li>memory bank: {@code bank.max}·(4·D + 320) for vectors, ids (as text and as UTF-8 bytes) and keys, plus
 *       the images it keeps: at most {@code bank.images.max-bytes} (each at most {@code bank.max-image-bytes});</li>
 *   <li>tensors B·C·H·W·4 + B·D·4 (twice, batch and single), and a fixed 128 MiB for the JVM's own classes,
 *       Kafka clients' metadata, ONNX Runtime's Java side and logging.</li>
 * </ul>
 */
public record HeapBudget(Map<String, Long> terms) {

    static final long FIXED = 128L << 20;
    static final long KAFKA_FETCH_MAX_BYTES = 50L << 20;
    static final long PRODUCER_BUFFER_MEMORY = 32L << 20;
    static final long BANK_ENTRY_OVERHEAD = 320;

    /**
     * The budget of one instance owning up to {@code partitions} input partitions, with the stream threads
     * {@code streams.threads} comes to on this machine.
     */
    public static HeapBudget of(HardnegConfig config, InputSpec spec, int dim, int partitions) {
        return of(config, spec, dim, partitions, StreamThreads.resolve(config.streams().threads(), partitions));
    }

    /** As above, for {@code threads} stream threads. */
    public static HeapBudget of(HardnegConfig config, InputSpec spec, int dim, int partitions, int threads) {
        long m = config.input().maxImageBytes();
        long b = config.inference().batchMax();
        long q = StreamsSettings.inputQueueRecords(config);
        long cap = InferenceAhead.MAX_BATCH_BYTES;
        long batchImages = Math.min(b * m, Math.max(cap, m));
        long t = threads;
        long c = spec.channels();
        Map<String, Long> terms = new LinkedHashMap<>();
        terms.put("input queue", (partitions * q + t * q) * m + Math.max(KAFKA_FETCH_MAX_BYTES, partitions * m)
                + (t - 1) * KAFKA_FETCH_MAX_BYTES);
        long inFlight = config.inference().overlap()
                ? partitions * (Math.min(InferenceAhead.MAX_BYTES_IN_FLIGHT, InferenceAhead.DEPTH * batchImages)
                        + InferenceAhead.DEPTH * (b * spec.size() * 4L + b * dim * 4L)) : 0;
        terms.put("batch buffer", partitions * 2 * Math.min(b * m, cap + m) + inFlight);
        terms.put("decode", t * config.input().maxPixels() * (8 + 4 * c));
        terms.put("producer", t * (PRODUCER_BUFFER_MEMORY + (config.output().includeImages()
                ? 2L * Math.min(8 * m, config.output().maxRecordBytes()) : 0)));
        long bank = config.bank().max();
        long images = config.output().includeImages()
                ? Math.min(config.bank().imagesMaxBytes(), bank * Math.min(m, config.bank().maxImageBytes())) : 0;
        terms.put("memory bank", bank * (4L * dim + BANK_ENTRY_OVERHEAD) + images);
        terms.put("tensors", t * 2 * (b * spec.size() * 4L + b * dim * 4L));
        terms.put("fixed", FIXED);
        return new HeapBudget(Map.copyOf(terms));
    }

    public long total() {
        return terms.values().stream().mapToLong(Long::longValue).sum();
    }

    /** "1234 MiB (input queue 10 MiB, ...)" in the terms' order. */
    public String describe() {
        StringBuilder sb = new StringBuilder().append(mib(total())).append(" MiB (");
        String[] order = {"input queue", "batch buffer", "decode", "producer", "memory bank", "tensors", "fixed"};
        for (int i = 0; i < order.length; i++) {
            sb.append(i == 0 ? "" : ", ").append(order[i]).append(' ').append(mib(terms.get(order[i]))).append(" MiB");
        }
        return sb.append(')').toString();
    }

    static long mib(long bytes) {
        return (bytes + (1 << 20) - 1) >> 20;
    }
}
