package io.hardneg.stream;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hardneg.mining.Triplet;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The retraining topic's JSON (schema_version 1): one record per triplet, or per labeled pair in pairs mode.
 * The schema is documented in docs/topics.md (hard-negatives).
 */
public final class TripletJson {

    public static final int SCHEMA_VERSION = 1;

    /** Room kept for ids, labels, numbers and JSON syntax when budgeting images into a record. */
    private static final int TEXT_ALLOWANCE = 16 << 10;

    private final ObjectMapper mapper;
    private final boolean includeImages;
    private final int maxRecordBytes;

    /** Images are left out of a record that would otherwise pass {@code maxRecordBytes} (the topic's limit). */
    public TripletJson(ObjectMapper mapper, boolean includeImages, int maxRecordBytes) {
        this.mapper = mapper;
        this.includeImages = includeImages;
        this.maxRecordBytes = maxRecordBytes;
    }

    public byte[] triplet(Triplet t, long minedAt) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("schema_version", SCHEMA_VERSION);
        m.put("format", "triplet");
        m.put("kind", t.kind().wireName());
        m.put("model_version", t.modelVersion());
        m.put("alpha", t.alpha());
        m.put("d_ap", t.dAp());
        m.put("d_an", t.dAn());
        m.put("gap", t.gap());
        long[] budget = {(long) maxRecordBytes - TEXT_ALLOWANCE};
        m.put("anchor", member(t.anchor(), budget, m));
        m.put("positive", member(t.positive(), budget, m));
        m.put("negative", member(t.negative(), budget, m));
        m.put("mined_at", minedAt);
        return write(m);
    }

    /**
     * The pairs of one anchor's triplets: each distinct positive once (target 1) and each distinct negative
     * once (target 0), so the AP:AN ratio is the miner's.
     */
    public List<byte[]> pairs(List<Triplet> triplets, long minedAt) {
        List<byte[]> out = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        for (Triplet t : triplets) {
            if (seen.add("p:" + t.positive().id())) {
                out.add(pair(t, t.positive(), t.dAp(), 1, minedAt));
            }
        }
        for (Triplet t : triplets) {
            if (seen.add("n:" + t.negative().id())) {
                out.add(pair(t, t.negative(), t.dAn(), 0, minedAt));
            }
        }
        return out;
    }

    private byte[] pair(Triplet t, Triplet.Member other, float distance, int target, long minedAt) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("schema_version", SCHEMA_VERSION);
        m.put("format", "pair");
        m.put("target", target);
        m.put("kind", target == 1 ? "positive" : t.kind().wireName());
        m.put("model_version", t.modelVersion());
        m.put("alpha", t.alpha());
        m.put("distance", distance);
        long[] budget = {(long) maxRecordBytes - TEXT_ALLOWANCE};
        m.put("anchor", member(t.anchor(), budget, m));
        m.put("other", member(other, budget, m));
        m.put("mined_at", minedAt);
        return write(m);
    }

    /**
     * A member's fields; its image only while {@code budget[0]} (base64 bytes left for this record) allows,
     * else the record says {@code "images_omitted": true} rather than outgrow its topic and stop the stream.
     */
    private Map<String, Object> member(Triplet.Member x, long[] budget, Map<String, Object> record) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", x.id());
        m.put("label", x.label());
        m.put("timestamp", x.timestamp());
        if (includeImages && x.image() != null) {
            long b64 = 4L * ((x.image().length + 2) / 3);
            if (b64 <= budget[0]) {
                budget[0] -= b64;
                m.put("image", Base64.getEncoder().encodeToString(x.image()));
            } else {
                record.put("images_omitted", true);
            }
        }
        return m;
    }

    private byte[] write(Map<String, Object> m) {
        try {
            return mapper.writeValueAsBytes(m);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a triplet map of strings and numbers always serialises", e);
        }
    }
}
