package io.hardneg.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hardneg.data.FashionMnist;
import io.hardneg.model.EmbeddingModel;
import java.io.InputStream;
import org.junit.jupiter.api.Test;

/** Java's Recall@1 of the shipped model equals the training script's (metrics.json) within 0.002. */
class EvalMatchesTrainingIT {

    @Test
    void shouldReproduceTheTrainingScriptsRecallAtOne() throws Exception {
        JsonNode metrics;
        try (InputStream in = getClass().getResourceAsStream("/models/fashion-triplet/1/metrics.json")) {
            assertThat(in).isNotNull();
            metrics = new ObjectMapper().readTree(in);
        }
        try (EmbeddingModel model = EmbeddingModel.loadDefault()) {
            RecallReport r = Evaluation.run(model, FashionMnist.bundled(), done -> { });
            System.out.printf("java: seen %.4f held_out %.4f all %.4f; python: %s %s %s%n", r.seen(), r.heldOut(),
                    r.all(), metrics.path("recall_at_1_seen"), metrics.path("recall_at_1_held_out"),
                    metrics.path("recall_at_1_all"));
            assertThat(r.images()).isEqualTo(10_000);
            assertThat(r.seen()).isCloseTo(metrics.path("recall_at_1_seen").asDouble(), within(0.002));
            assertThat(r.heldOut()).isCloseTo(metrics.path("recall_at_1_held_out").asDouble(), within(0.002));
            assertThat(r.all()).isCloseTo(metrics.path("recall_at_1_all").asDouble(), within(0.002));
        }
    }
}
