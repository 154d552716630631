package io.hardneg.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnxruntime.OrtSession.SessionOptions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DeviceSelectorTest {

    private static final String MISSING_LIB = "libcublasLt.so.12: cannot open shared object file";

    /** What the GPU artifact does on a host without CUDA. */
    private static final DeviceSelector.CudaProvider MISSING = (options, id) -> {
        throw new UnsatisfiedLinkError(MISSING_LIB);
    };

    @Test
    void shouldFallBackToCpuWhenCudaProviderMissing() throws Exception {
        try (SessionOptions so = new SessionOptions()) {
            Device d = new DeviceSelector(MISSING).apply(DeviceRequest.auto(), so);

            assertThat(d.name()).isEqualTo("cpu");
            assertThat(d.isCuda()).isFalse();
            assertThat(d.fallbackReason()).contains("libcublasLt.so.12");
        }
    }

    @Test
    void shouldFailWhenCudaIsDemandedButTheProviderIsMissing() throws Exception {
        try (SessionOptions so = new SessionOptions()) {
            assertThatThrownBy(() -> new DeviceSelector(MISSING).apply(DeviceRequest.parse("cuda"), so))
                    .isInstanceOf(ModelLoadException.class)
                    .hasMessageContaining("inference.device=cuda:0")
                    .hasMessageContaining("libcublasLt.so.12")
                    .hasMessageContaining("-Pgpu")
                    .hasCauseInstanceOf(UnsatisfiedLinkError.class);
        }
    }

    @Test
    void shouldUseCudaDeviceZeroForAutoWhenTheProviderLoads() throws Exception {
        List<Integer> asked = new ArrayList<>();
        try (SessionOptions so = new SessionOptions()) {
            Device d = new DeviceSelector((options, id) -> asked.add(id)).apply(DeviceRequest.auto(), so);

            assertThat(d.name()).isEqualTo("cuda:0");
            assertThat(d.isCuda()).isTrue();
            assertThat(d.fallbackReason()).isNull();
            assertThat(asked).containsExactly(0);
        }
    }

    @Test
    void shouldUseTheRequestedCudaDevice() throws Exception {
        List<Integer> asked = new ArrayList<>();
        try (SessionOptions so = new SessionOptions()) {
            Device d = new DeviceSelector((options, id) -> asked.add(id)).apply(DeviceRequest.parse("cuda:1"), so);

            assertThat(d.name()).isEqualTo("cuda:1");
            assertThat(d.fallbackReason()).isNull();
            assertThat(asked).containsExactly(1);
        }
    }

    @Test
    void shouldNotTouchCudaWhenCpuIsAsked() throws Exception {
        List<Integer> asked = new ArrayList<>();
        try (SessionOptions so = new SessionOptions()) {
            Device d = new DeviceSelector((options, id) -> asked.add(id)).apply(DeviceRequest.cpu(), so);

            assertThat(d).isEqualTo(Device.cpu());
            assertThat(asked).isEmpty();
        }
    }
}
