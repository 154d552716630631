package io.hardneg.stream;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hardneg.mining.MislabelDetector;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The {@code suspect-labels} topic's JSON (schema_version 1), documented in docs/topics.md (suspect-labels). */
final class SuspectJson {

    static final int SCHEMA_VERSION = 1;

    private final ObjectMapper mapper;
    private final boolean includeImage;

    SuspectJson(ObjectMapper mapper, boolean includeImage) {
        this.mapper = mapper;
        this.includeImage = includeImage;
    }

    byte[] suspicion(MislabelDetector.Suspicion s, long flaggedAt) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("schema_version", SCHEMA_VERSION);
        m.put("id", s.anchor().id());
        m.put("label", s.anchor().label());
        m.put("suggested_label", s.suggestedLabel());
        m.put("model_version", s.anchor().modelVersion());
        m.put("votes", s.votes());
        m.put("k", s.rules().k());
        m.put("tau", s.rules().tau());
        m.put("agreement", s.rules().agreement());
        m.put("mean_d_positive", s.meanPositiveDistance());
        m.put("nearest_negatives", neighbours(s.negatives()));
        m.put("nearest_positives", neighbours(s.positives()));
        m.put("timestamp", s.anchor().timestamp());
        m.put("flagged_at", flaggedAt);
        if (includeImage && s.anchor().image() != null) {
            m.put("image", Base64.getEncoder().encodeToString(s.anchor().image()));
        }
        try {
            return mapper.writeValueAsBytes(m);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a map of strings and numbers always serialises", e);
        }
    }

    private static List<Map<String, Object>> neighbours(List<MislabelDetector.Neighbour> ns) {
        List<Map<String, Object>> out = new ArrayList<>(ns.size());
        for (MislabelDetector.Neighbour n : ns) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", n.id());
            m.put("label", n.label());
            m.put("distance", n.distance());
            out.add(m);
        }
        return out;
    }
}
