package io.hardneg.web;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Locale;

/**
 * The HTTP server's optional access token ({@code http.auth.token-file}): decides whether a request presents it,
 * as {@code Authorization: Bearer <token>} or {@code ?token=<token>}.
 */
public final class AccessToken {

    static final String QUERY_PARAMETER = "token";
    private static final String BEARER = "bearer ";
    private static final AccessToken NONE = new AccessToken(null);

    /** SHA-256 of the token, never the token itself: nothing here can print or leak it. Null when none is set. */
    private final byte[] digest;

    private AccessToken(byte[] digest) {
        this.digest = digest;
    }

    /** No token: every request is admitted. */
    public static AccessToken none() {
        return NONE;
    }

    /** The token {@code token}, surrounding whitespace removed; refuses a blank one. */
    public static AccessToken of(String token) {
        String t = token == null ? "" : token.strip();
        if (t.isEmpty()) {
            throw new IllegalArgumentException("an access token must not be empty");
        }
        return new AccessToken(sha256(t));
    }

    /** The token in {@code file} (read once; a trailing newline or spaces are dropped), or {@link #none()} if null. */
    public static AccessToken readFrom(Path file) {
        if (file == null) {
            return NONE;
        }
        String token;
        try {
            token = Files.readString(file, StandardCharsets.UTF_8).strip();
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("http.auth.token-file " + file + " does not exist");
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("http.auth.token-file " + file + " cannot be read: " + e.getMessage());
        }
        if (token.isEmpty()) {
            throw new IllegalArgumentException("http.auth.token-file " + file + " is empty");
        }
        return new AccessToken(sha256(token));
    }

    /** Whether a token is configured at all. */
    public boolean required() {
        return digest != null;
    }

    /**
     * Whether a request with this {@code Authorization} header and raw (still percent-encoded) query string may
     * pass. Either may be null.
     */
    public boolean admits(String authorization, String rawQuery) {
        if (digest == null) {
            return true;
        }
        return matches(bearer(authorization)) | matches(fromQuery(rawQuery));
    }

    /** The {@code token} query parameter, decoded, or null when absent or malformed. */
    static String fromQuery(String rawQuery) {
        if (rawQuery == null) {
            return null;
        }
        for (String pair : rawQuery.split("&")) {
            if (pair.startsWith(QUERY_PARAMETER + "=")) {
                try {
                    return URLDecoder.decode(pair.substring(QUERY_PARAMETER.length() + 1), StandardCharsets.UTF_8);
                } catch (IllegalArgumentException e) {
                    return null;
                }
            }
        }
        return null;
    }

    private static String bearer(String authorization) {
        if (authorization == null || !authorization.toLowerCase(Locale.ROOT).startsWith(BEARER)) {
            return null;
        }
        return authorization.substring(BEARER.length()).strip();
    }

    /**
     * Compares digests, both 32 bytes, with {@link MessageDigest#isEqual} (constant time): neither the token's
     * content nor its length shows in how long a refusal takes.
     */
    private boolean matches(String presented) {
        return presented != null && !presented.isEmpty() && MessageDigest.isEqual(digest, sha256(presented));
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /** Never the token: configurations and objects end up in logs. */
    @Override
    public String toString() {
        return digest == null ? "AccessToken[none]" : "AccessToken[hidden]";
    }
}
