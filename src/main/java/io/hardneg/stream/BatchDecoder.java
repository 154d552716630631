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
 * for inference. Failures are dead-lettered on the stream thread, in input order.
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
        Decoded d = decodeOnly(batch, spec, input);
        deadLetter(d);
        return d.ok();
    }

    /** A batch's decode: the images that decoded, and those that failed with why, each in input order. */
    record Decoded(List<PendingImage> ok, List<PendingImage> failed, List<InvalidInputException> errors) {
    }

    /**
     * As {@link #decode}, sending nothing: safe off the stream thread (one call at a time per decoder), the failures
     * left for {@link #deadLetter} on it.
     */
    Decoded decodeOnly(List<PendingImage> batch, InputSpec spec, FloatBuffer input) {
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
        List<PendingImage> failed = new ArrayList<>();
        List<InvalidInputException> why = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (errors[i] != null) {
                failed.add(batch.get(i));
                why.add(errors[i]);
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
        return new Decoded(decoded, failed, why);
    }

    /** Sends a decode's failures to the dead-letter topic, in input order; on the stream thread. */
    void deadLetter(Decoded d) {
        for (int i = 0; i < d.failed().size(); i++) {
            deadLetters.send(d.failed().get(i), d.errors().get(i));
        }
    }
}
