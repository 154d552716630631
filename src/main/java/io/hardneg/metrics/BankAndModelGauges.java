package io.hardneg.metrics;

import io.hardneg.mining.MemoryBank;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The gauges of {@link PipelineMetrics} that follow state rather than events: the memory bank's size and the
 * serving model. Its methods may throw; {@link PipelineMetrics} catches and counts.
 */
final class BankAndModelGauges {

    private final MultiGauge bankEntries;
    private final MultiGauge modelInfo;
    private volatile Supplier<MemoryBank> bank = () -> null;
    private volatile String modelName = PipelineMetrics.UNKNOWN;
    private volatile String modelVersion;
    private volatile String deviceName;

    BankAndModelGauges(MeterRegistry registry) {
        Gauge.builder("hardneg.bank.fill.ratio", this, BankAndModelGauges::fillRatio)
                .description("Memory bank entries / capacity").register(registry);
        Gauge.builder("hardneg.bank.capacity", this, BankAndModelGauges::capacity)
                .description("Memory bank capacity").baseUnit("entries").register(registry);
        bankEntries = MultiGauge.builder("hardneg.bank.entries").description("Memory bank entries by model version")
                .baseUnit("entries").register(registry);
        modelInfo = MultiGauge.builder("hardneg.model.info")
                .description("1 for the model being served, tagged with its version, name and device")
                .register(registry);
    }

    void bindBank(Supplier<MemoryBank> bank) {
        this.bank = Objects.requireNonNull(bank, "bank");
    }

    /** Re-reads the bank's per-version sizes, under its read lock. */
    void refreshBank() {
        MemoryBank b = bank.get();
        if (b == null) {
            return;
        }
        List<MultiGauge.Row<?>> rows = new ArrayList<>();
        b.sizeByVersion().forEach((version, n) ->
                rows.add(MultiGauge.Row.of(Tags.of("model.version", version), n)));
        bankEntries.register(rows, true);
    }

    void modelChanged(String name, String version, String device) {
        modelName = name;
        setModel(version, device);
    }

    /** Follows a hot swap even when nobody called modelChanged: the batch names what actually served it. */
    void served(String version, String device) {
        if (!Objects.equals(version, modelVersion) || !Objects.equals(device, deviceName)) {
            setModel(version, device);
        }
    }

    String modelVersion() {
        return modelVersion;
    }

    String deviceName() {
        return deviceName;
    }

    private synchronized void setModel(String version, String device) {
        modelVersion = version;
        deviceName = device;
        modelInfo.register(List.of(MultiGauge.Row.of(Tags.of("model.version", orUnknown(version),
                "model.name", orUnknown(modelName), "device", orUnknown(device)), 1)), true);
    }

    private double fillRatio() {
        MemoryBank b = bank.get();
        return b == null || b.capacity() == 0 ? Double.NaN : (double) b.size() / b.capacity();
    }

    private double capacity() {
        MemoryBank b = bank.get();
        return b == null ? Double.NaN : b.capacity();
    }

    private static String orUnknown(String s) {
        return s == null || s.isBlank() ? PipelineMetrics.UNKNOWN : s;
    }
}
