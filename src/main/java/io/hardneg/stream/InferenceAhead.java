package io.hardneg.stream;

import io.hardneg.model.EmbeddingModel;
import io.hardneg.model.ModelProvider;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.IntSupplier;
import org.apache.kafka.streams.processor.TaskId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a task's batches through decode and inference on a worker thread while the stream thread reads, publishes
 * and commits, and hands each back to the stream thread to publish, in the order they were taken.
 *
 * <p>A batch in flight stays in the batch buffer's store until it is published: a commit meanwhile keeps it there,
 * so after a crash it is restored and embedded again, and its outputs are sent once, in the transaction that deletes
 * it. Not thread-safe: the stream thread calls every method; only {@link Work} runs on the worker.
 */
public final class InferenceAhead implements AutoCloseable {

    /** Batches in flight per task: one being embedded while the stream thread publishes the one before. */
    public static final int DEPTH = 2;

    /**
     * Image bytes a task keeps in flight at most: a batch that would take it past this waits for the ones before it,
     * and a batch larger on its own runs inline. It keeps the heap's worst case near the inline one's (a batch of the
     * largest admitted images is hundreds of MiB) while batches of ordinary images never reach it.
     */
    public static final long MAX_BYTES_IN_FLIGHT = 16L << 20;

    /**
     * Stored bytes a batch holds at most, besides {@code inference.batch.max} images: half of
     * {@link #MAX_BYTES_IN_FLIGHT}, so two batches of large images still fly, and the buffer's worst case stays near
     * this instead of growing with the batch size (a batch of hundreds of images of the largest admitted size).
     */
    public static final long MAX_BATCH_BYTES = MAX_BYTES_IN_FLIGHT / 2;

    private static final Logger LOG = LoggerFactory.getLogger(InferenceAhead.class);

    /** What the worker does with a batch: decode it into the slot's input and embed what decoded. */
    @FunctionalInterface
    interface Work {
        Embedded run(EmbeddingModel model, BatchInference slot, List<PendingImage> batch);
    }

    /** Publishes an embedded batch on the stream thread. */
    @FunctionalInterface
    interface Publisher {
        void publish(EmbeddingModel model, BatchInference slot, Embedded batch);
    }

    /** A batch after the worker: its decode, and the decoded images inference failed on. */
    record Embedded(BatchDecoder.Decoded decoded, boolean[] failed) {
    }

    private record Flight(BatchBuffer.Taken<PendingImage> batch, long bytes, ModelProvider.Lease lease,
                          BatchInference slot, Future<Embedded> result) {
    }

    private final BatchBuffer<PendingImage> pending;
    private final IntSupplier max;
    private final ModelProvider models;
    private final Work work;
    private final Publisher publisher;
    private final Consumer<List<PendingImage>> inline;
    private final StageTimer timer;
    private final ExecutorService worker;
    private final ArrayDeque<BatchInference> free = new ArrayDeque<>();
    private final ArrayDeque<Flight> flights = new ArrayDeque<>();
    private long bytesInFlight;

    /**
     * Batches of at most {@code max}'s current size from {@code pending}; {@code slots}: one inference buffer per batch in flight;
     * {@code inline} runs a batch too large to fly on the stream thread, start to finish.
     */
    InferenceAhead(TaskId task, BatchBuffer<PendingImage> pending, IntSupplier max, ModelProvider models,
                   List<BatchInference> slots, Work work, Publisher publisher, Consumer<List<PendingImage>> inline,
                   StageTimer timer) {
        this.pending = pending;
        this.max = max;
        this.models = models;
        this.work = work;
        this.publisher = publisher;
        this.inline = inline;
        this.timer = timer;
        this.free.addAll(slots);
        this.worker = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "hardneg-infer-" + task);
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Takes the buffer's full batches (with {@code everything}, the partial one too) into flight, publishing the
     * oldest first whenever {@link #DEPTH} or {@link #MAX_BYTES_IN_FLIGHT} would be exceeded; with {@code everything},
     * publishes all of them and runs the partial batch inline, so that nothing waits past the linger.
     */
    void launch(boolean everything) {
        while (everything ? pending.available() > 0 : pending.full(max.getAsInt(), MAX_BATCH_BYTES)) {
            if (free.isEmpty()) {
                publish(flights.peekFirst());
                continue;
            }
            int size = max.getAsInt();
            boolean full = pending.full(size, MAX_BATCH_BYTES);
            BatchBuffer.Taken<PendingImage> batch = pending.take(size, MAX_BATCH_BYTES, everything, timer);
            if (batch == null) {
                break;
            }
            long bytes = 0;
            for (PendingImage p : batch.items()) {
                bytes += p.image().length;
            }
            while (!flights.isEmpty() && bytesInFlight + bytes > MAX_BYTES_IN_FLIGHT) {
                publish(flights.peekFirst());
            }
            // The linger's partial batch is the last: everything before it is waited for anyway, and a hand-off
            // to the worker would only add its wake-up to every batch of a light load.
            if (bytes > MAX_BYTES_IN_FLIGHT || !full) {
                publishAll();
                inline.accept(batch.items());
                pending.release(batch, timer);
                continue;
            }
            ModelProvider.Lease lease = models.acquire();
            BatchInference slot = free.poll();
            slot.ensureBuffers(lease.model());
            Future<Embedded> result = worker.submit(() -> work.run(lease.model(), slot, batch.items()));
            flights.addLast(new Flight(batch, bytes, lease, slot, result));
            bytesInFlight += bytes;
        }
        if (everything) {
            publishAll();
        }
        publishDone();
    }

    /** Publishes the batches the worker has finished, oldest first, stopping at the first still running. */
    void publishDone() {
        while (!flights.isEmpty() && flights.peekFirst().result().isDone()) {
            publish(flights.peekFirst());
        }
    }

    private void publishAll() {
        while (!flights.isEmpty()) {
            publish(flights.peekFirst());
        }
    }

    private void publish(Flight f) {
        Embedded e = await(f.result());
        // Only once it is published: a failure above leaves the flight for close() to release.
        flights.removeFirst();
        bytesInFlight -= f.bytes();
        try {
            publisher.publish(f.lease().model(), f.slot(), e);
        } finally {
            f.lease().close();
            free.addLast(f.slot());
        }
        pending.release(f.batch(), timer);
    }

    private static Embedded await(Future<Embedded> result) {
        try {
            return result.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted waiting for a batch's inference", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException("a batch's decode or inference failed", e.getCause());
        }
    }

    /**
     * Stops the worker, letting a running batch finish before its model lease is released; batches in flight are not
     * published and stay in the store, for the task's next owner.
     */
    @Override
    public void close() {
        worker.shutdown();
        try {
            if (!worker.awaitTermination(30, TimeUnit.SECONDS)) {
                LOG.warn("a batch's inference was still running 30 s after its task closed");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Flight f : flights) {
            f.lease().close();
        }
        flights.clear();
    }
}
