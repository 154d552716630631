package io.hardneg.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Iterator;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PortsTest {

    @Test
    void shouldSkipAPortAlreadyTakenByAnotherListener() {
        // Given probes that hand back the broker's own port first (the OS reuses a port closed a moment ago)
        Iterator<Integer> probes = List.of(34479, 34479, 40001).iterator();
        // Then the controller gets the next one that differs
        assertThat(Ports.distinct(probes::next, Set.of(34479))).isEqualTo(40001);
    }

    @Test
    void shouldSayWhichPortsItAvoidedWhenNoOtherComes() {
        assertThatThrownBy(() -> Ports.distinct(() -> 9092, Set.of(9092)))
                .isInstanceOf(BrokerStartException.class)
                .hasMessageContaining("other than [9092]");
    }

    @Test
    void shouldFindRealFreePortsThatDiffer() {
        int first = Ports.free("127.0.0.1");
        int second = Ports.free("127.0.0.1", Set.of(first));
        assertThat(second).isPositive().isNotEqualTo(first);
    }
}
