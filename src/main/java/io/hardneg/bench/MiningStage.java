package io.hardneg.bench;

import static io.hardneg.bench.Stats.ratio;
import static io.hardneg.bench.Stats.round;

import io.hardneg.config.HardnegConfig;
import io.hardneg.data.LabeledImages;
import io.hardneg.eval.SplitEmbedder;
import io.hardneg.mining.Distances;
import io.hardneg.mining.EmbeddedImage;
import io.hardneg.mining.MislabelDetector;
import io.hardneg.model.EmbeddingModel;
import io.hardneg.producer.LabeledImage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** Stage 6: the miner on synthetic banks of each size, and on the model's embeddings of the bundled images. */
final class MiningStage {

    /** One synthetic bank's figures; {@code key} is its size as the JSON names it ({@code 10k}, {@code 500}). */
    record Bank(String key, Microbenchmarks.MiningResult result, boolean withSuspects) {
    }

    /**
     * @param bundled the original rule on the bundled images; null when suspect detection is off or the sample is
     *                too small
     * @param configuredPerSecond the stream's own case: the configured rules and budget on the same bank (NaN: not run)
     */
    record Figures(String kernel, List<Bank> banks, Microbenchmarks.BundledMining bundled, double configuredPerSecond)
            implements BenchFigures {

        @Override
        public void writeTo(Map<String, Object> json) {
            json.put("mining_kernel", kernel);
            for (Bank b : banks) {
                Microbenchmarks.MiningResult m = b.result();
                json.put("mining_anchors_per_s_" + b.key(), round(m.anchorsPerSecond()));
                json.put("mining_triplets_per_anchor_" + b.key(), Math.round(m.tripletsPerAnchor() * 100) / 100.0);
                json.put("mining_first_batch_ms_" + b.key(), round(m.firstBatchMs()));
                if (b.withSuspects()) {
                    json.put("mining_with_suspects_anchors_per_s_" + b.key(), round(m.withSuspectsPerSecond()));
                    json.put("mining_then_suspects_anchors_per_s_" + b.key(), round(m.thenSuspectsPerSecond()));
                    json.put("ratio_mining_one_pass_vs_two_" + b.key(), ratio(m.withSuspectsPerSecond(),
                            m.thenSuspectsPerSecond()));
                }
            }
            if (bundled != null) {
                json.put("mining_bundled_bank_rows", bundled.bankRows());
                json.put("mining_bundled_anchors_per_s", round(bundled.onePassPerSecond()));
                json.put("mining_bundled_us_per_anchor", round(1e6 / bundled.onePassPerSecond()));
                json.put("mining_bundled_then_suspects_anchors_per_s", round(bundled.twoScansPerSecond()));
                json.put("mining_bundled_triplets_per_anchor", Math.round(bundled.tripletsPerAnchor() * 100) / 100.0);
            }
            if (!Double.isNaN(configuredPerSecond)) {
                json.put("mining_configured_anchors_per_s", round(configuredPerSecond));
                json.put("mining_configured_us_per_anchor", round(1e6 / configuredPerSecond));
            }
        }
    }

    private MiningStage() {
    }

    /** The bundled images embedded as the service embeds them (PNG bytes, decoder, batches), in the sample's order. */
    static List<EmbeddedImage> embed(EmbeddingModel model, LabeledImages head, List<LabeledImage> sample)
            throws Exception {
        int dim = model.info().embeddingDim();
        float[] e = new SplitEmbedder(model, 256).embed(head, done -> { });
        List<EmbeddedImage> embedded = new ArrayList<>(sample.size());
        for (int i = 0; i < sample.size(); i++) {
            embedded.add(new EmbeddedImage(sample.get(i).id(), sample.get(i).label(), model.info().version(),
                    Arrays.copyOfRange(e, i * dim, (i + 1) * dim), null, i));
        }
        return embedded;
    }

    static Figures run(HardnegConfig base, int[] sizes, double s, List<EmbeddedImage> bundled, BenchLog log)
            throws Exception {
        log.line("[6/8] mining: anchors/s, D = 64, batches of %d", base.inference().batchMax());
        Distances kernel = Distances.create();
        HardnegConfig.Mining.Suspect sc = base.mining().suspect();
        // The stream's suspect rule, when on: the stage then also times mining with suspect detection both ways.
        MislabelDetector.Rules suspectRules = sc.enabled() ? new MislabelDetector.Rules(sc.tau(), sc.k(),
                sc.agreement(), sc.minPositives()) : null;
        List<Bank> banks = new ArrayList<>();
        for (int size : sizes) {
            var m = Microbenchmarks.mining(size, 64, base.inference().batchMax(), kernel, suspectRules, 2.0 * s);
            String key = size >= 1000 && size % 1000 == 0 ? (size / 1000) + "k" : Integer.toString(size);
            banks.add(new Bank(key, m, suspectRules != null));
            log.line("mining bank %,7d: %,9.0f anchors/s (%s)", size, m.anchorsPerSecond(), kernel.name());
            if (suspectRules != null) {
                log.line("mining bank %,7d with suspect detection: %,9.0f anchors/s in one pass, %,9.0f with a scan "
                        + "of its own", size, m.withSuspectsPerSecond(), m.thenSuspectsPerSecond());
            }
        }
        Microbenchmarks.BundledMining b = null;
        double configured = Double.NaN;
        if (suspectRules != null && bundled.size() >= 4 * base.inference().batchMax()) {
            // The model's embeddings of the bundled images, the configured bank; the original rule, then the
            // configured rules and budget (the stream's own case).
            b = Microbenchmarks.miningBundled(bundled, base.bank().perLabel(), base.bank().max(),
                    base.inference().batchMax(), kernel, suspectRules, 2.0 * s);
            log.line("mining the bundled images' embeddings against a bank of %,d: %,9.0f anchors/s (%.1f µs each) "
                    + "with suspect detection in one pass, %,9.0f with a scan of its own", b.bankRows(),
                    b.onePassPerSecond(), 1e6 / b.onePassPerSecond(), b.twoScansPerSecond());
            configured = Microbenchmarks.miningConfigured(bundled, base, kernel, suspectRules, 2.0 * s);
            log.line("mining the bundled images' embeddings with the configured rules and anchor budget: %,9.0f "
                    + "anchors/s (%.1f µs each)", configured, 1e6 / configured);
        }
        return new Figures(kernel.name(), banks, b, configured);
    }
}
