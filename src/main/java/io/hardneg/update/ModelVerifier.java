package io.hardneg.update;

import io.hardneg.model.EmbeddingModel;
import io.hardneg.model.ModelInfo;
import io.hardneg.model.ModelLoadException;
import io.hardneg.model.ModelOptions;
import io.hardneg.model.ModelSource;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Turns an announcement into a loaded, verified model, or refuses it with the reason: hash, signature,
 * loadability, shape compatibility with the serving model, and finite unit-length outputs on probe inputs.
 */
public final class ModelVerifier {

    private final byte[] hmacKey;
    private final ModelOptions options;

    /** {@code hmacKey} null accepts unsigned announcements; with a key, every announcement must be signed. */
    public ModelVerifier(byte[] hmacKey, ModelOptions options) {
        this.hmacKey = hmacKey == null ? null : hmacKey.clone();
        this.options = options;
    }

    /** Thrown when a model version is refused; the message says which check failed and why. */
    public static final class RefusedException extends Exception {
        private final String reason;

        RefusedException(String reason, String message) {
            super(message);
            this.reason = reason;
        }

        /** A bounded tag for metrics: hash, signature, load, shape, probe, fetch. */
        public String reason() {
            return reason;
        }
    }

    public EmbeddingModel verify(ModelAnnouncement a, ModelInfo serving) throws RefusedException {
        String what = a.name() + " v" + a.version();
        byte[] bytes = fetch(a, what);
        String actual = HexFormat.of().formatHex(sha256(bytes));
        if (a.sha256() == null || !a.sha256().equalsIgnoreCase(actual)) {
            throw new RefusedException("hash", what + ": SHA-256 mismatch (announced " + a.sha256() + ", bytes have "
                    + actual + ")");
        }
        if (hmacKey != null) {
            if (a.hmacSha256() == null) {
                throw new RefusedException("signature", what + ": unsigned, but model.hmac-key is configured");
            }
            byte[] expected = hmac(hmacKey, bytes);
            byte[] given;
            try {
                given = HexFormat.of().parseHex(a.hmacSha256());
            } catch (IllegalArgumentException e) {
                throw new RefusedException("signature", what + ": hmac_sha256 is not hex");
            }
            if (!MessageDigest.isEqual(expected, given)) {
                throw new RefusedException("signature", what + ": HMAC-SHA256 signature does not match");
            }
        }
        EmbeddingModel model;
        try {
            model = EmbeddingModel.load(new ModelSource(bytes, "model-updates:" + what, a.name(), a.version()), options);
        } catch (ModelLoadException e) {
            throw new RefusedException("load", what + ": " + e.getMessage());
        }
        try {
            checkCompatible(model.info(), serving, what);
            probe(model, what);
            return model;
        } catch (RefusedException e) {
            model.close();
            throw e;
        }
    }

    private static byte[] fetch(ModelAnnouncement a, String what) throws RefusedException {
        byte[] inline = a.inlineBytes();
        if (inline != null) {
            return inline;
        }
        if (a.path() == null) {
            throw new RefusedException("fetch", what + ": announcement has neither model_base64 nor path");
        }
        try {
            return Files.readAllBytes(Path.of(a.path()));
        } catch (IOException e) {
            throw new RefusedException("fetch", what + ": cannot read " + a.path() + ": " + e.getMessage());
        }
    }

    private static void checkCompatible(ModelInfo next, ModelInfo serving, String what) throws RefusedException {
        // The bank is sized for the serving model's D and the decoder for its input: a swap keeps both.
        if (next.embeddingDim() != serving.embeddingDim()) {
            throw new RefusedException("shape", what + ": embedding dimension " + next.embeddingDim()
                    + ", serving model has " + serving.embeddingDim());
        }
        var a = next.inputSpec();
        var b = serving.inputSpec();
        if (a.channels() != b.channels() || a.height() != b.height() || a.width() != b.width()) {
            throw new RefusedException("shape", what + ": input " + a.channels() + "x" + a.height() + "x" + a.width()
                    + ", serving model takes " + b.channels() + "x" + b.height() + "x" + b.width());
        }
        if (next.version().equals(serving.version())) {
            throw new RefusedException("version", what + ": version " + next.version() + " is already serving");
        }
    }

    /** Probe inputs: constant images and a gradient; outputs must be finite and unit length. */
    private static void probe(EmbeddingModel model, String what) throws RefusedException {
        int n = 3;
        int size = model.info().inputSpec().size();
        int dim = model.info().embeddingDim();
        FloatBuffer in = model.allocateInput(n);
        for (int i = 0; i < size; i++) {
            in.put(i, -1f);
            in.put(size + i, 1f);
            in.put(2 * size + i, (i % 97) / 48f - 1f);
        }
        FloatBuffer out = model.allocateOutput(n);
        try {
            model.embed(in, out, n);
        } catch (Exception e) {
            throw new RefusedException("probe", what + ": inference on probe images failed: " + e.getMessage());
        }
        for (int r = 0; r < n; r++) {
            double norm = 0;
            for (int k = 0; k < dim; k++) {
                float v = out.get(r * dim + k);
                if (!Float.isFinite(v)) {
                    throw new RefusedException("probe", what + ": non-finite output on probe image " + r);
                }
                norm += v * v;
            }
            if (Math.abs(Math.sqrt(norm) - 1) > 1e-3) {
                throw new RefusedException("probe", what + ": probe embedding " + r + " has norm " + Math.sqrt(norm)
                        + ", expected 1");
            }
        }
    }

    static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is required by every JVM", e);
        }
    }

    /** HMAC-SHA256 of {@code bytes}; also what {@code model publish --hmac-key-file} signs with. */
    public static byte[] hmac(byte[] key, byte[] bytes) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(bytes);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is required by every JVM", e);
        }
    }
}
