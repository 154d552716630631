package io.hardneg.model;

/**
 * How to load a model.
 *
 * @param device where to run
 * @param intraOpThreads ONNX Runtime's intra-op threads; 0 for one per available core
 * @param spin whether ONNX Runtime's idle intra-op threads busy-wait for the next run instead of sleeping
 * @param mean per-channel mean overriding the model's metadata, or null
 * @param std per-channel std overriding the model's metadata, or null
 */
public record ModelOptions(DeviceRequest device, int intraOpThreads, boolean spin, float[] mean, float[] std) {

    public static ModelOptions defaults() {
        return new ModelOptions(DeviceRequest.auto(), 0, false, null, null);
    }

    public ModelOptions withDevice(DeviceRequest d) {
        return new ModelOptions(d, intraOpThreads, spin, mean, std);
    }

    public ModelOptions withIntraOpThreads(int n) {
        return new ModelOptions(device, n, spin, mean, std);
    }

    /**
     * The intra-op threads a session gets. ONNX Runtime's own default (0) can count a single thread on a small
     * machine, leaving an inference-bound pipeline one core; see
     * docs/decisions/0005-onnx-runtime-intra-op-threads-and-spinning.md.
     */
    public int effectiveIntraOpThreads(int availableCores) {
        return intraOpThreads > 0 ? intraOpThreads : Math.max(1, availableCores);
    }

    public ModelOptions withSpin(boolean s) {
        return new ModelOptions(device, intraOpThreads, s, mean, std);
    }
}
