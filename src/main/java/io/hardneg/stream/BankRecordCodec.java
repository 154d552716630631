package io.hardneg.stream;

import io.hardneg.mining.EmbeddedImage;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Values of the {@code embedding-bank} topic: a versioned binary layout holding id, label, model version,
 * timestamp, the embedding and (optionally) the image bytes.
 */
public final class BankRecordCodec {

    private static final byte FORMAT = 1;

    private BankRecordCodec() {
    }

    public static byte[] encode(EmbeddedImage e) {
        byte[] id = e.id().getBytes(StandardCharsets.UTF_8);
        byte[] label = e.label().getBytes(StandardCharsets.UTF_8);
        byte[] version = e.modelVersion().getBytes(StandardCharsets.UTF_8);
        byte[] image = e.image() == null ? new byte[0] : e.image();
        int size = 1 + 4 * 5 + 8 + id.length + label.length + version.length + e.embedding().length * 4 + image.length;
        ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        b.put(FORMAT);
        putBytes(b, id);
        putBytes(b, label);
        putBytes(b, version);
        b.putLong(e.timestamp());
        b.putInt(e.embedding().length);
        for (float f : e.embedding()) {
            b.putFloat(f);
        }
        putBytes(b, image);
        return b.array();
    }

    public static EmbeddedImage decode(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        byte format = b.get();
        if (format != FORMAT) {
            throw new IllegalArgumentException("bank record format " + format + " is unknown; expected " + FORMAT);
        }
        String id = new String(getBytes(b), StandardCharsets.UTF_8);
        String label = new String(getBytes(b), StandardCharsets.UTF_8);
        String version = new String(getBytes(b), StandardCharsets.UTF_8);
        long ts = b.getLong();
        float[] v = new float[b.getInt()];
        for (int i = 0; i < v.length; i++) {
            v[i] = b.getFloat();
        }
        byte[] image = getBytes(b);
        return new EmbeddedImage(id, label, version, v, image.length == 0 ? null : image, ts);
    }

    private static void putBytes(ByteBuffer b, byte[] v) {
        b.putInt(v.length);
        b.put(v);
    }

    private static byte[] getBytes(ByteBuffer b) {
        int n = b.getInt();
        if (n < 0 || n > b.remaining()) {
            throw new IllegalArgumentException("bank record is corrupt: field of " + n + " bytes, " + b.remaining() + " left");
        }
        byte[] v = new byte[n];
        b.get(v);
        return v;
    }
}
