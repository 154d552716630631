package io.hardneg.stream;

import io.hardneg.error.InvalidInputException;
import io.hardneg.image.DecodeLimits;
import io.hardneg.image.ImageDecoder;
import io.hardneg.image.InputSpec;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;
import java.util.stream.IntStream;

/**
 * Decodes a batch into the model's input buffer, on all cores when the batch is large enough to pay for it: with a
 * heavy model decoding is a fifth of a batch's time, and it would otherwise run on one core while the other waits
 * for inference. Failures are dead-lettered on the calling (stream) thread, in input order.
 */
final class BatchDecoder {

    /** Below this many images, handing work to other cores costs more than it saves. */
    private static final int PARALLEL_DECODE_MIN = 8;

    private final DecodeLimits limits;
    private final PipelineObserver observer;
    private final DeadLetters deadLetters;

    private InputSpec spec;
    private ImageDecoder decoder;

    BatchDecoder(DecodeLimits limits, PipelineObserver observer, DeadLetters deadLetters) {
        this.limits = limits;
        this.observer = observer;
        this.deadLetters = deadLetters;
    }

    /** The images that decoded, in input order, written contiguously into {@code input} for {@code spec}. */
    List<PendingImage> decode(List<PendingImage> batch, InputSpec spec, FloatBuffer input) {
        if (!spec.equals(this.spec)) {
            decoder = new ImageDecoder(spec, limits);
            this.spec = spec;
        }
        int n = batch.size();
        int size = spec.size();
        InvalidInputException[] errors = new InvalidInputException[n];
        IntConsumer decodeOne = i -> {
            long t0 = System.nanoTime();
            try {
                decoder.decodeInto(batch.get(i).image(), input, i * size);
                observer.decoded(System.nanoTime() - t0);
            } catch (InvalidInputException e) {
                errors[i] = e;
            }
        };
        if (n >= PARALLEL_DECODE_MIN && Runtime.getRuntime().availableProcessors() > 1) {
            IntStream.range(0, n).parallel().forEach(decodeOne);
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
}
