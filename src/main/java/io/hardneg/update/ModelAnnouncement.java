package io.hardneg.update;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.Base64;

/**
 * A new model version on the {@code model-updates} topic (key: model name). The bytes travel inline (base64)
 * when they fit the topic's message size, else {@code path} names a file every instance can read.
 *
 * @param hmacSha256 hex HMAC-SHA256 of the model bytes under the shared key, or null when unsigned
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ModelAnnouncement(
        @JsonProperty("schema_version") int schemaVersion,
        @JsonProperty("name") String name,
        @JsonProperty("version") String version,
        @JsonProperty("sha256") String sha256,
        @JsonProperty("hmac_sha256") String hmacSha256,
        @JsonProperty("size") long size,
        @JsonProperty("model_base64") String modelBase64,
        @JsonProperty("path") String path,
        @JsonProperty("published_at") long publishedAt) {

    private static final ObjectMapper MAPPER = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    public byte[] toJson() {
        try {
            return MAPPER.writeValueAsBytes(this);
        } catch (IOException e) {
            throw new IllegalStateException("an announcement of strings and numbers always serialises", e);
        }
    }

    public static ModelAnnouncement fromJson(byte[] json) throws IOException {
        return MAPPER.readValue(json, ModelAnnouncement.class);
    }

    /** The inline bytes, or null when the model travels by path. */
    public byte[] inlineBytes() {
        return modelBase64 == null ? null : Base64.getDecoder().decode(modelBase64);
    }
}
