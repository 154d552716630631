package io.hardneg.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RepeatsTest {

    private static StreamingStage.Result repeat(double cpuPerImage, Map<String, Double> byStage, long images) {
        return new StreamingStage.Result(1000, cpuPerImage, Map.of(), Map.of(), Map.of(), byStage, 1.5, 2, 1,
                List.of(), images);
    }

    /** Ordered as CpuByStage orders its parts. */
    private static Map<String, Double> split(double inference, double mining) {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("inference", inference);
        m.put("mining", mining);
        return m;
    }

    @Test
    void shouldPoolCpuPerImageAndItsSplitOverTheRepeatsImages() {
        StreamingStages.Repeats r = new StreamingStages.Repeats()
                .with(repeat(200, split(150.0, 50.0), 100))
                .with(repeat(100, split(50.0, 50.0), 300))
                // a repeat without a full round: no CPU figure, no split, no images
                .with(repeat(Double.NaN, Map.of(), 0));

        // (200 x 100 + 100 x 300) / 400, where the median of the repeats' figures would be 150
        assertThat(r.cpuUsPerImage()).isEqualTo(125.0);
        assertThat(r.cpuByStage()).containsExactly(Map.entry("inference", 75.0), Map.entry("mining", 50.0));
        assertThat(r.cpuByStage().values().stream().mapToDouble(Double::doubleValue).sum())
                .isEqualTo(r.cpuUsPerImage());
    }

    @Test
    void shouldHaveNoCpuFigureWithoutAFullRound() {
        StreamingStages.Repeats r = new StreamingStages.Repeats().with(repeat(Double.NaN, Map.of(), 0));
        assertThat(r.cpuUsPerImage()).isNaN();
        assertThat(r.cpuByStage()).isEmpty();
    }
}
