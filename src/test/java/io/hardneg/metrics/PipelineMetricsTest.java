package io.hardneg.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.within;

import io.hardneg.error.ErrorCode;
import io.hardneg.image.InputSpec;
import io.hardneg.mining.EmbeddedImage;
import io.hardneg.mining.MemoryBank;
import io.hardneg.mining.Triplet;
import io.hardneg.model.Device;
import io.hardneg.model.ModelInfo;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PipelineMetricsTest {

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final PipelineMetrics metrics = new PipelineMetrics(registry);

    @AfterEach
    void close() {
        metrics.close();
        registry.close();
    }

    static Triplet triplet(String anchorLabel, String negativeLabel, float dAp, float dAn) {
        return new Triplet(new Triplet.Member("a", anchorLabel, null, 1L),
                new Triplet.Member("p", anchorLabel, null, 2L),
                new Triplet.Member("n", negativeLabel, null, 3L), dAp, dAn, 0.2f, "3");
    }

    static ModelInfo model(String name, String version) {
        return new ModelInfo(name, version, (InputSpec) null, 64, true, List.of(), Set.of(), Set.of(), "sha", "test");
    }

    private Scrape scrape() {
        return Scrape.parse(registry.scrape());
    }

    @Test
    void shouldCountAcceptedAndDeadLetteredImagesByCode() {
        // Given three accepted images and two refused ones
        metrics.accepted(true);
        metrics.accepted(true);
        metrics.accepted(false);
        metrics.deadLettered(ErrorCode.TRUNCATED);
        metrics.deadLettered(ErrorCode.TRUNCATED);

        // Then
        Scrape s = scrape();
        assertThat(s.value("hardneg_images_total", "outcome", "accepted", "code", "none")).isEqualTo(3.0);
        assertThat(s.value("hardneg_images_total", "outcome", "dead_lettered", "code", "TRUNCATED")).isEqualTo(2.0);
        assertThat(s.value("hardneg_dead_letters_total", "code", "TRUNCATED")).isEqualTo(2.0);
        // Codes not seen yet are present at zero, so dashboards draw a line instead of "no data"
        assertThat(s.value("hardneg_dead_letters_total", "code", "TOO_LARGE")).isZero();
    }

    @Test
    void shouldCountMinedTripletsByKindGapRangeAndRateLimit() {
        // Given two hard triplets, one semi-hard one, and four dropped by the rate limit
        metrics.mined(List.of(triplet("0", "6", 0.9f, 0.6f), triplet("0", "2", 0.5f, 0.45f)), 3);
        metrics.mined(List.of(triplet("4", "2", 0.3f, 0.42f)), 1);

        // Then
        Scrape s = scrape();
        assertThat(s.value("hardneg_triplets_mined_total", "kind", "hard")).isEqualTo(2.0);
        assertThat(s.value("hardneg_triplets_mined_total", "kind", "semihard")).isEqualTo(1.0);
        assertThat(s.value("hardneg_triplets_rate_limited_total")).isEqualTo(4.0);
        assertThat(s.value("hardneg_triplet_loss_count")).isEqualTo(3.0);
        assertThat(s.value("hardneg_triplet_loss_sum")).isCloseTo(0.5 + 0.25 + 0.08, within(1e-5));
        assertThat(s.value("hardneg_triplet_loss_max")).isCloseTo(0.5, within(1e-5));
        assertThat(s.value("hardneg_triplet_gap_range_total", "range", "[-0.5,-0.2)")).isEqualTo(1.0);
        assertThat(s.value("hardneg_triplet_gap_range_total", "range", "[-0.1,0)")).isEqualTo(1.0);
        assertThat(s.value("hardneg_triplet_gap_range_total", "range", "[0.1,0.15)")).isEqualTo(1.0);
        assertThat(s.value("hardneg_triplet_gap_range_total", "range", "[-4,-1)")).isZero();
    }

    @Test
    void shouldRecordInferenceLatencyHistogramBatchSizeAndEmbeddings() {
        // Given two batches of 8 and 32 images taking 10 ms and 30 ms
        metrics.batchEmbedded(8, 10_000_000L, "3", "cpu");
        metrics.batchEmbedded(32, 30_000_000L, "3", "cpu");
        metrics.decoded(1_000_000L);
        metrics.batchMined(32, 5_000_000L);
        for (int i = 0; i < 40; i++) {
            metrics.embedded(System.currentTimeMillis() - 2_000);
        }

        // Then
        Scrape s = scrape();
        assertThat(s.value("hardneg_inference_latency_seconds_count")).isEqualTo(2.0);
        assertThat(s.value("hardneg_inference_latency_seconds_sum")).isCloseTo(0.04, within(1e-9));
        assertThat(s.has("hardneg_inference_latency_seconds_bucket", "le", "+Inf")).isTrue();
        assertThat(s.value("hardneg_inference_latency_seconds_bucket", "le", "+Inf")).isEqualTo(2.0);
        assertThat(s.value("hardneg_inference_batch_size_images_sum")).isEqualTo(40.0);
        assertThat(s.value("hardneg_inference_batch_size_images_max")).isEqualTo(32.0);
        assertThat(s.value("hardneg_decode_latency_seconds_count")).isEqualTo(1.0);
        assertThat(s.value("hardneg_mining_latency_seconds_count")).isEqualTo(1.0);
        assertThat(s.value("hardneg_mining_latency_seconds_sum")).isCloseTo(0.005, within(1e-9));
        assertThat(s.value("hardneg_mining_latency_seconds_bucket", "le", "+Inf")).isEqualTo(1.0);
        assertThat(s.value("hardneg_embedded_images_total")).isEqualTo(40.0);
        assertThat(s.value("hardneg_e2e_latency_seconds_count")).isEqualTo(40.0);
        assertThat(s.value("hardneg_e2e_latency_seconds_sum") / 40).isBetween(1.9, 10.0);
        assertThat(s.value("hardneg_e2e_latency_seconds_bucket", "le", "+Inf")).isEqualTo(40.0);
    }

    @Test
    void shouldFollowModelSwapInModelInfo() {
        // Given model v3 on the CPU, then a hot reload to v4 on the GPU
        metrics.modelChanged(model("fashion-triplet", "3"), Device.cpu());
        assertThat(scrape().value("hardneg_model_info", "model_version", "3", "model_name", "fashion-triplet",
                "device", "cpu")).isEqualTo(1.0);

        metrics.modelChanged(model("fashion-triplet", "4"), new Device("cuda:0", null));

        // Then only the new model is reported
        Scrape s = scrape();
        assertThat(s.value("hardneg_model_info", "model_version", "4", "device", "cuda:0")).isEqualTo(1.0);
        assertThat(s.has("hardneg_model_info", "model_version", "3")).isFalse();

        // And a batch served by another version moves the gauge even without modelChanged
        metrics.batchEmbedded(1, 1000, "5", "cuda:0");
        assertThat(scrape().value("hardneg_model_info", "model_version", "5", "model_name", "fashion-triplet"))
                .isEqualTo(1.0);
        assertThat(scrape().has("hardneg_model_info", "model_version", "4")).isFalse();
    }

    @Test
    void shouldReportBankEntriesByVersionAndFillRatio() {
        // Given a bank of capacity 10 holding three v3 entries and one v4 entry
        MemoryBank bank = new MemoryBank(2, 5, 10);
        bank.put("0/1", new EmbeddedImage("i1", "0", "3", new float[] {1, 0}, null, 1));
        bank.put("0/2", new EmbeddedImage("i2", "0", "3", new float[] {1, 0}, null, 1));
        bank.put("1/1", new EmbeddedImage("i3", "1", "3", new float[] {0, 1}, null, 1));
        bank.put("1/2", new EmbeddedImage("i4", "1", "4", new float[] {0, 1}, null, 1));

        // When
        metrics.bindBank(() -> bank);

        // Then
        Scrape s = scrape();
        assertThat(s.value("hardneg_bank_entries", "model_version", "3")).isEqualTo(3.0);
        assertThat(s.value("hardneg_bank_entries", "model_version", "4")).isEqualTo(1.0);
        assertThat(s.value("hardneg_bank_fill_ratio")).isEqualTo(0.4);
        assertThat(s.value("hardneg_bank_capacity_entries")).isEqualTo(10.0);

        // And a version gone from the bank disappears at the next refresh
        bank.remove("1/2");
        metrics.refreshBank();
        assertThat(scrape().has("hardneg_bank_entries", "model_version", "4")).isFalse();
    }

    @Test
    void shouldReportNoBankFillBeforeTheBankExists() {
        metrics.bindBank(() -> null);

        assertThat(scrape().value("hardneg_bank_fill_ratio")).isNaN();
    }

    @Test
    void shouldNeverThrowIntoProcessingAndCountInstrumentationFailures() {
        // When the observer is fed nonsense
        assertThatCode(() -> {
            metrics.deadLettered(null);
            metrics.mined(null, 0);
            metrics.modelChanged(null, null);
            metrics.bindBank(() -> {
                throw new IllegalStateException("store not ready");
            });
        }).doesNotThrowAnyException();

        // Then every failure is counted
        assertThat(scrape().value("hardneg_metrics_errors_total")).isEqualTo(4.0);
    }

    @Test
    void shouldKeepSeriesBoundedWhateverTheImages() {
        // Given the series after one image, then after 500 more distinct images and anchors
        metrics.accepted(true);
        metrics.embedded(System.currentTimeMillis());
        metrics.mined(List.of(triplet("label-x", "other-x", 0.5f, 0.4f)), 0);
        long afterOne = hardnegSeries();
        for (int i = 0; i < 500; i++) {
            metrics.accepted(true);
            metrics.embedded(System.currentTimeMillis());
            metrics.mined(List.of(triplet("label-" + i, "other-" + i, 0.5f, 0.4f)), 0);
        }

        // Then the series count does not depend on them: no per-image or per-label tag
        assertThat(hardnegSeries()).isEqualTo(afterOne);
        assertThat(registry.scrape()).doesNotContain("label-1");
    }

    private long hardnegSeries() {
        return registry.scrape().lines().filter(l -> l.startsWith("hardneg_")).count();
    }
}
