package io.hardneg.stream;

import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Skips an output record that its topic refuses as too large, with an error log naming it, instead of failing
 * the stream thread: the default handler's replacement thread would replay the same batch and fail again, a
 * crash loop that stops the whole stream. Our own outputs are sized to fit (images are left out of oversized
 * triplets), so this is the last line of defence; every other production error still fails.
 */
public final class OversizedRecordHandler implements ProductionExceptionHandler {

    private static final Logger LOG = LoggerFactory.getLogger(OversizedRecordHandler.class);

    @Override
    public Response handleError(ErrorHandlerContext context, ProducerRecord<byte[], byte[]> record, Exception e) {
        if (e instanceof RecordTooLargeException) {
            LOG.error("skipped an output record to '{}' ({} bytes) that the topic refuses as too large; input {}-{}@{}",
                    record.topic(), record.value() == null ? 0 : record.value().length, context.topic(),
                    context.partition(), context.offset());
            return Response.resume();
        }
        return Response.fail();
    }

    @Override
    public void configure(Map<String, ?> configs) {
        // nothing to configure
    }
}
