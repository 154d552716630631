package io.hardneg.stream;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * An accepted input waiting in the crash-safe batch buffer: enough to embed it, mine it, and dead-letter it
 * with its original key and coordinates.
 *
 * @param key the original key bytes, or null
 * @param label null for unlabeled images
 */
record PendingImage(String id, String label, byte[] key, byte[] image, long timestamp, String topic, int partition,
                    long offset) {

    byte[] encode() {
        byte[] idb = id.getBytes(StandardCharsets.UTF_8);
        byte[] lb = label == null ? null : label.getBytes(StandardCharsets.UTF_8);
        byte[] tb = topic.getBytes(StandardCharsets.UTF_8);
        int size = 4 + idb.length + 4 + (lb == null ? 0 : lb.length) + 4 + (key == null ? 0 : key.length)
                + 4 + image.length + 8 + 4 + tb.length + 4 + 8;
        ByteBuffer b = ByteBuffer.allocate(size);
        put(b, idb);
        put(b, lb);
        put(b, key);
        put(b, image);
        b.putLong(timestamp);
        put(b, tb);
        b.putInt(partition);
        b.putLong(offset);
        return b.array();
    }

    static PendingImage decode(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        String id = new String(get(b), StandardCharsets.UTF_8);
        byte[] lb = get(b);
        byte[] key = get(b);
        byte[] image = get(b);
        long ts = b.getLong();
        String topic = new String(get(b), StandardCharsets.UTF_8);
        int partition = b.getInt();
        long offset = b.getLong();
        return new PendingImage(id, lb == null ? null : new String(lb, StandardCharsets.UTF_8), key, image, ts, topic,
                partition, offset);
    }

    private static void put(ByteBuffer b, byte[] v) {
        b.putInt(v == null ? -1 : v.length);
        if (v != null) {
            b.put(v);
        }
    }

    private static byte[] get(ByteBuffer b) {
        int n = b.getInt();
        if (n < 0) {
            return null;
        }
        byte[] v = new byte[n];
        b.get(v);
        return v;
    }
}
