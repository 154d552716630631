package io.hardneg.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class BrokerRequestsTest {

    @Test
    void shouldGiveTheMostFrequentRequestTypesPerImageMostFrequentFirst() {
        // Given counts before and after 1,000 images: 250 more produces, 40 more fetches, 3 more commits, a type
        // seen only afterwards and one that did not move
        Map<String, Long> before = Map.of("Produce", 100L, "Fetch", 60L, "EndTxn", 7L, "Metadata", 5L);
        Map<String, Long> after = Map.of("Produce", 350L, "Fetch", 100L, "EndTxn", 10L, "Metadata", 5L,
                "AddOffsetsToTxn", 1L);

        Map<String, Double> perImage = BrokerRequests.perImage(before, after, 1_000, 3);

        // Then the top three by count, per image, in that order; the unmoved type is not listed
        assertThat(perImage).containsExactly(Map.entry("Produce", 0.25), Map.entry("Fetch", 0.04),
                Map.entry("EndTxn", 0.003));
        assertThat(BrokerRequests.perImage(before, after, 0, 3)).isEmpty();
        // and a type seen once in 30,000 images is not rounded away
        assertThat(BrokerRequests.perImage(Map.of(), Map.of("Metadata", 1L), 30_000, 3))
                .containsExactly(Map.entry("Metadata", 3.33e-5));
    }
}
