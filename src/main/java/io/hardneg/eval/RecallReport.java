package io.hardneg.eval;

import java.util.LinkedHashMap;
import java.util.Map;

/** Recall@1 of one model on one split under the three protocols (NaN where a protocol has no query). */
public record RecallReport(String modelVersion, int images, double seen, double heldOut, double all) {

    /** The JSON object of {@code eval --json}; NaN becomes null. */
    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("recall_at_1_seen", nullIfNaN(seen));
        m.put("recall_at_1_held_out", nullIfNaN(heldOut));
        m.put("recall_at_1_all", nullIfNaN(all));
        m.put("model_version", modelVersion);
        m.put("images", images);
        return m;
    }

    private static Object nullIfNaN(double v) {
        return Double.isNaN(v) ? null : v;
    }
}
