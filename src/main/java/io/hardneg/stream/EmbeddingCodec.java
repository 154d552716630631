package io.hardneg.stream;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

/** Embeddings on the wire: little-endian float32, so {@code numpy.frombuffer(v, '<f4')} reads them. */
public final class EmbeddingCodec {

    private EmbeddingCodec() {
    }

    /** Encodes {@code dim} floats of {@code src} starting at {@code offset}. */
    public static byte[] encode(FloatBuffer src, int offset, int dim) {
        ByteBuffer out = ByteBuffer.allocate(dim * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < dim; i++) {
            out.putFloat(src.get(offset + i));
        }
        return out.array();
    }

    public static byte[] encode(float[] v) {
        return encode(FloatBuffer.wrap(v), 0, v.length);
    }

    public static float[] decode(byte[] bytes) {
        if (bytes.length % Float.BYTES != 0) {
            throw new IllegalArgumentException("embedding of " + bytes.length + " bytes is not a whole number of float32");
        }
        float[] v = new float[bytes.length / Float.BYTES];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
        return v;
    }
}
