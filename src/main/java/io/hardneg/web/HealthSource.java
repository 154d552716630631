package io.hardneg.web;

import io.hardneg.mining.MemoryBank;
import io.hardneg.model.Device;
import io.hardneg.model.ModelInfo;
import java.util.Objects;
import java.util.function.Supplier;

/** What {@code /health} and {@code /api/stats} report about the running service; any value may be null. */
public interface HealthSource {

    /** The state that makes {@code /health} answer 200; every other state answers 503. */
    String RUNNING = "RUNNING";

    /** The Kafka Streams state name ({@code RUNNING}, {@code REBALANCING}, {@code ERROR}, …). */
    String state();

    ModelInfo model();

    Device device();

    MemoryBank bank();

    /** A source over suppliers, e.g. {@code () -> streams.state().name()} and the model provider's current model. */
    static HealthSource of(Supplier<String> state, Supplier<ModelInfo> model, Supplier<Device> device,
                           Supplier<MemoryBank> bank) {
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(bank, "bank");
        return new HealthSource() {
            @Override
            public String state() {
                return state.get();
            }

            @Override
            public ModelInfo model() {
                return model.get();
            }

            @Override
            public Device device() {
                return device.get();
            }

            @Override
            public MemoryBank bank() {
                return bank.get();
            }
        };
    }
}
