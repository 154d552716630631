package io.hardneg.stream;

import io.hardneg.error.InvalidInputException;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Sends a rejected input to {@code images.dlq} with its reason and its source coordinates, and counts it. */
final class DeadLetters {

    private static final Logger LOG = LoggerFactory.getLogger(DeadLetters.class);

    private final ProcessorContext<byte[], byte[]> context;
    private final PipelineObserver observer;

    DeadLetters(ProcessorContext<byte[], byte[]> context, PipelineObserver observer) {
        this.context = context;
        this.observer = observer;
    }

    /** A buffered image, with its original key, label and coordinates. */
    void send(PendingImage p, InvalidInputException e) {
        Headers h = new RecordHeaders();
        if (p.label() != null) {
            h.add(RecordHeaderNames.LABEL, p.label().getBytes(StandardCharsets.UTF_8));
        }
        send(p.key(), p.image(), h, p.timestamp(), p.topic(), p.partition(), p.offset(), e);
    }

    void send(byte[] key, byte[] value, Headers original, long timestamp, String topic, int partition, long offset,
              InvalidInputException e) {
        Headers h = new RecordHeaders(original.toArray());
        h.remove(RecordHeaderNames.ERROR_CODE);
        h.add(RecordHeaderNames.ERROR_CODE, e.code().name().getBytes(StandardCharsets.UTF_8));
        h.add(RecordHeaderNames.ERROR_MESSAGE, String.valueOf(e.getMessage()).getBytes(StandardCharsets.UTF_8));
        h.add(RecordHeaderNames.ERROR_TOPIC, topic.getBytes(StandardCharsets.UTF_8));
        h.add(RecordHeaderNames.ERROR_PARTITION, Integer.toString(partition).getBytes(StandardCharsets.UTF_8));
        h.add(RecordHeaderNames.ERROR_OFFSET, Long.toString(offset).getBytes(StandardCharsets.UTF_8));
        context.forward(new Record<>(key, value, timestamp, h), MiningTopology.DLQ_SINK);
        observer.deadLettered(e.code());
        LOG.debug("dead-lettered {}-{}@{}: {} {}", topic, partition, offset, e.code(), e.getMessage());
    }
}
