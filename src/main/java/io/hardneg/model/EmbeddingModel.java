package io.hardneg.model;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.Semaphore;

/**
 * An ONNX embedding model: {@code [N,C,H,W]} float images in, {@code [N,D]} unit-length embeddings out.
 *
 * <p>One long-lived session, shared by threads ({@code OrtSession.run} is thread-safe). Callers bring
 * their own direct buffers so that a batch is neither copied nor boxed on its way in or out.
 *
 * <p>On the CPU, runs are admitted at most cores / intra-op threads at a time, in arrival order: each run spreads
 * over its own pool of intra-op threads, so concurrent runs (one per task's inference worker) would oversubscribe the
 * cores and cost more CPU per image than the same runs one after another.
 */
public final class EmbeddingModel implements AutoCloseable {

    static final String ALLOW_SPINNING = "session.intra_op.allow_spinning";

    private final OrtEnvironment env;
    private final OrtSession session;
    private final ModelInfo info;
    private final Device device;
    private final String inputName;
    private final String outputName;
    private final Semaphore runs;
    private final int runSlots;

    private EmbeddingModel(OrtEnvironment env, OrtSession session, ModelInfo info, Device device,
                           String inputName, String outputName, int runSlots) {
        this.runs = new Semaphore(runSlots, true);
        this.runSlots = runSlots;
        this.env = env;
        this.session = session;
        this.info = info;
        this.device = device;
        this.inputName = inputName;
        this.outputName = outputName;
    }

    /** Loads the model shipped in the jar with default options. */
    public static EmbeddingModel loadDefault() throws ModelLoadException {
        return load(ModelSource.defaultModel(), ModelOptions.defaults());
    }

    public static EmbeddingModel load(ModelSource source, ModelOptions options) throws ModelLoadException {
        return load(source, options, new DeviceSelector());
    }

    static EmbeddingModel load(ModelSource source, ModelOptions options, DeviceSelector selector)
            throws ModelLoadException {
        OrtEnvironment env = OrtEnvironment.getEnvironment(OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR, "hardneg");
        OrtSession session;
        Device device;
        try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
            configure(so, options);
            device = selector.apply(options.device(), so);
            session = env.createSession(source.bytes(), so);
        } catch (OrtException e) {
            throw new ModelLoadException("cannot load ONNX model " + source.origin() + ": " + e.getMessage(), e);
        }
        try {
            if (session.getNumInputs() != 1 || session.getNumOutputs() < 1) {
                throw new ModelLoadException("model " + source.origin() + " must have 1 input [N,C,H,W] and an "
                        + "output [N,D]; found " + session.getNumInputs() + " inputs and "
                        + session.getNumOutputs() + " outputs");
            }
            Map.Entry<String, NodeInfo> in = session.getInputInfo().entrySet().iterator().next();
            Map.Entry<String, NodeInfo> out = session.getOutputInfo().entrySet().iterator().next();
            ModelInfo info = ModelMetadataReader.read(source, tensorInfo(in, "input", source),
                    tensorInfo(out, "output", source), session.getMetadata().getCustomMetadata(), options);
            int cores = Runtime.getRuntime().availableProcessors();
            EmbeddingModel model = new EmbeddingModel(env, session, info, device, in.getKey(), out.getKey(),
                    runSlots(device, options.effectiveIntraOpThreads(cores), cores));
            model.smokeTest();
            return model;
        } catch (OrtException | ModelLoadException | RuntimeException e) {
            try {
                session.close();
            } catch (OrtException ignored) {
                // the load already failed; its exception is the one worth reporting
            }
            if (e instanceof ModelLoadException mle) {
                throw mle;
            }
            throw new ModelLoadException("model " + source.origin() + " is unusable: " + e.getMessage(), e);
        }
    }

    /**
     * CPU session settings. Spinning is off by default: ONNX Runtime's idle intra-op threads otherwise busy-wait
     * after every run, taking the cores that Kafka's own threads (broker, clients, stream threads) need between
     * batches.
     */
    static void configure(OrtSession.SessionOptions so, ModelOptions options) throws OrtException {
        so.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
        so.setIntraOpNumThreads(options.effectiveIntraOpThreads(Runtime.getRuntime().availableProcessors()));
        so.addConfigEntry(ALLOW_SPINNING, options.spin() ? "1" : "0");
    }

    /**
     * How many runs may go at once: on the CPU, as many as the cores hold pools of {@code intraOpThreads}, at least
     * one; on a GPU, any number (its runs queue on the device, and their host-side work may overlap).
     */
    static int runSlots(Device device, int intraOpThreads, int cores) {
        if (device.isCuda()) {
            return Integer.MAX_VALUE;
        }
        return Math.max(1, cores / Math.max(1, intraOpThreads));
    }

    /** Runs that may go at once ({@link #runSlots}). */
    int runSlots() {
        return runSlots;
    }

    private static TensorInfo tensorInfo(Map.Entry<String, NodeInfo> node, String role, ModelSource source)
            throws ModelLoadException {
        if (!(node.getValue().getInfo() instanceof TensorInfo ti)) {
            throw new ModelLoadException("model " + source.origin() + " " + role + " '" + node.getKey()
                    + "' must be a float tensor, found " + node.getValue().getInfo());
        }
        return ti;
    }

    /** Probes the model with a small batch so that a model that loads but cannot run is refused now. */
    private void smokeTest() throws ModelLoadException {
        int n = 2;
        FloatBuffer in = allocateInput(n);
        for (int i = 0; i < n * info.inputSpec().size(); i++) {
            in.put(i, (i % 7) / 7f - 0.5f);
        }
        FloatBuffer out = allocateOutput(n);
        try {
            embed(in, out, n);
        } catch (OrtException | RuntimeException e) {
            throw new ModelLoadException("model " + info.origin() + " failed its smoke test on a batch of " + n
                    + " inputs of shape " + Arrays.toString(inputShape(n)) + ": " + e.getMessage(), e);
        }
        for (int i = 0; i < n * info.embeddingDim(); i++) {
            if (!Float.isFinite(out.get(i))) {
                throw new ModelLoadException("model " + info.origin() + " returned a non-finite embedding value "
                        + out.get(i) + " in its smoke test");
            }
        }
    }

    public ModelInfo info() {
        return info;
    }

    public Device device() {
        return device;
    }

    /** A direct buffer sized for {@code batch} inputs, in the native order ONNX Runtime reads without copying. */
    public FloatBuffer allocateInput(int batch) {
        return direct(batch * info.inputSpec().size());
    }

    /** A direct buffer sized for {@code batch} embeddings. */
    public FloatBuffer allocateOutput(int batch) {
        return direct(batch * info.embeddingDim());
    }

    private static FloatBuffer direct(int floats) {
        return ByteBuffer.allocateDirect(floats * Float.BYTES).order(ByteOrder.nativeOrder()).asFloatBuffer();
    }

    private long[] inputShape(int n) {
        var s = info.inputSpec();
        return new long[] {n, s.channels(), s.height(), s.width()};
    }

    /**
     * Embeds the first {@code n} images of {@code input} into the first {@code n} rows of {@code output},
     * unit length. Both buffers must be direct (see {@link #allocateInput}); positions are ignored.
     */
    public void embed(FloatBuffer input, FloatBuffer output, int n) throws OrtException {
        if (n <= 0) {
            return;
        }
        int inFloats = n * info.inputSpec().size();
        int outFloats = n * info.embeddingDim();
        if (input.capacity() < inFloats || output.capacity() < outFloats) {
            throw new IllegalArgumentException("buffers too small for a batch of " + n + ": input holds "
                    + input.capacity() + " floats (need " + inFloats + "), output " + output.capacity()
                    + " (need " + outFloats + ")");
        }
        FloatBuffer inView = input.duplicate().position(0).limit(inFloats).slice();
        FloatBuffer outView = output.duplicate().position(0).limit(outFloats).slice();
        runs.acquireUninterruptibly();
        try (OnnxTensor inT = OnnxTensor.createTensor(env, inView, inputShape(n));
             OnnxTensor outT = OnnxTensor.createTensor(env, outView, new long[] {n, info.embeddingDim()});
             OrtSession.Result ignored = session.run(Map.of(inputName, inT), Map.<String, OnnxValue>of(outputName, outT))) {
            // The output was written into outView (pinned output): nothing to copy.
        } finally {
            runs.release();
        }
        if (!info.l2NormalizedByModel()) {
            normalizeRows(output, n, info.embeddingDim());
        }
    }

    /** Convenience for tests and tools: embeds {@code n} images given as one flat float array. */
    public float[] embed(float[] images, int n) throws OrtException {
        FloatBuffer in = allocateInput(n);
        in.put(0, images, 0, n * info.inputSpec().size());
        FloatBuffer out = allocateOutput(n);
        embed(in, out, n);
        float[] result = new float[n * info.embeddingDim()];
        out.get(0, result);
        return result;
    }

    static void normalizeRows(FloatBuffer buf, int rows, int dim) {
        for (int r = 0; r < rows; r++) {
            int base = r * dim;
            double sum = 0;
            for (int i = 0; i < dim; i++) {
                float v = buf.get(base + i);
                sum += v * v;
            }
            // A zero vector has no direction; leave it zero rather than produce NaNs.
            float inv = sum > 0 ? (float) (1.0 / Math.sqrt(sum)) : 0f;
            for (int i = 0; i < dim; i++) {
                buf.put(base + i, buf.get(base + i) * inv);
            }
        }
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException("closing ONNX session of " + info.origin() + " failed", e);
        }
    }
}
