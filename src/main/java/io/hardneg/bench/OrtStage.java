package io.hardneg.bench;

import static io.hardneg.bench.Stats.round;

import io.hardneg.model.DeviceRequest;
import io.hardneg.model.EmbeddingModel;
import io.hardneg.model.ModelOptions;
import io.hardneg.model.ModelSource;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;

/** Stage 1: ONNX Runtime's ceiling, batch by batch, with the pipeline's session options. */
final class OrtStage {

    /**
     * @param byBatch   images/s at each batch size
     * @param allCores  the best batch again with one intra-op thread per core; null when the configuration already
     *                  gives that many (or runs on a GPU)
     */
    record Figures(Map<Integer, Microbenchmarks.Rate> byBatch, int bestBatch, Microbenchmarks.Rate allCores)
            implements BenchFigures {

        Microbenchmarks.Rate best() {
            return byBatch.get(bestBatch);
        }

        /** The ceiling as the JSON reports it (rounded), for the ratios computed from it. */
        double ceilingImagesPerSecond() {
            return round(best().perSecond());
        }

        double cpuUsPerImage() {
            return round(best().cpuUsPerItem());
        }

        @Override
        public void writeTo(Map<String, Object> json) {
            Map<String, Object> rates = new LinkedHashMap<>();
            byBatch.forEach((b, v) -> rates.put(Integer.toString(b), round(v.perSecond())));
            json.put("ort_images_per_s_by_batch", rates);
            json.put("ort_best_batch", bestBatch);
            json.put("ort_ceiling_images_per_s", ceilingImagesPerSecond());
            json.put("ort_cpu_us_per_image", cpuUsPerImage());
            if (allCores != null) {
                json.put("ort_ceiling_all_cores_images_per_s", round(allCores.perSecond()));
                json.put("ort_all_cores_cpu_us_per_image", round(allCores.cpuUsPerItem()));
            }
        }
    }

    private OrtStage() {
    }

    /** Measures {@code model} at each of {@code batches}, about {@code seconds} each. */
    static Figures run(EmbeddingModel model, ModelSource source, ModelOptions options, int[] batches, double seconds,
                       BenchLog log) throws Exception {
        Map<Integer, Microbenchmarks.Rate> ceiling = Microbenchmarks.ortCeiling(model, batches, seconds, log);
        int best = ceiling.entrySet().stream()
                .max(Comparator.comparingDouble(e -> e.getValue().perSecond())).orElseThrow().getKey();
        int cores = Runtime.getRuntime().availableProcessors();
        Microbenchmarks.Rate all = null;
        if (options.effectiveIntraOpThreads(cores) != cores && !model.device().isCuda()) {
            // With fewer intra-op threads than cores the ceiling above is not the machine's: the same
            // batch with one thread per core is.
            log.line("ORT ceiling at batch %d with %d intra-op threads (one per core)", best, cores);
            try (EmbeddingModel wide = EmbeddingModel.load(source,
                    options.withDevice(DeviceRequest.cpu()).withIntraOpThreads(cores))) {
                all = Microbenchmarks.ortCeiling(wide, new int[] {best}, seconds, log).get(best);
            }
        }
        return new Figures(ceiling, best, all);
    }
}
