package io.hardneg.model;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession.SessionOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Adds the execution provider a {@link DeviceRequest} asks for to session options.
 *
 * <p>ONNX Runtime has no automatic fallback: with the GPU artifact on a host without CUDA,
 * {@code addCUDA} throws (e.g. {@code libcublasLt.so.12} missing), and the CPU artifact has no CUDA
 * provider at all. {@code auto} catches that and stays on the CPU; an explicit {@code cuda} fails.
 */
final class DeviceSelector {

    private static final Logger LOG = LoggerFactory.getLogger(DeviceSelector.class);

    /** The one native call that can fail, behind an interface so the fallback logic is testable. */
    interface CudaProvider {
        void add(SessionOptions options, int deviceId) throws OrtException;
    }

    private final CudaProvider cuda;

    DeviceSelector() {
        this(SessionOptions::addCUDA);
    }

    DeviceSelector(CudaProvider cuda) {
        this.cuda = cuda;
    }

    Device apply(DeviceRequest request, SessionOptions options) throws ModelLoadException {
        switch (request.mode()) {
            case CPU:
                return Device.cpu();
            case CUDA:
                try {
                    cuda.add(options, request.cudaId());
                    return new Device("cuda:" + request.cudaId(), null);
                } catch (OrtException | RuntimeException | UnsatisfiedLinkError e) {
                    throw new ModelLoadException("inference.device=" + request
                            + " but the CUDA execution provider could not be loaded: " + e.getMessage()
                            + " (build with -Pgpu and install CUDA 12 + cuDNN 9, or use inference.device=auto)", e);
                }
            default:
                try {
                    cuda.add(options, request.cudaId());
                    LOG.info("inference device: cuda:{}", request.cudaId());
                    return new Device("cuda:" + request.cudaId(), null);
                } catch (OrtException | RuntimeException | UnsatisfiedLinkError e) {
                    String reason = String.valueOf(e.getMessage());
                    LOG.info("inference device: cpu (auto: CUDA unavailable: {})", reason);
                    return new Device("cpu", reason);
                }
        }
    }
}
