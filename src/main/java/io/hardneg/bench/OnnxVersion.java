package io.hardneg.bench;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Rewrites the {@code hardneg.version} metadata of an ONNX model, leaving the graph as it is: the soak's hot swap
 * announces the serving model again as a new version, and the version in the metadata wins over the folder's.
 */
final class OnnxVersion {

    /** {@code ModelProto.metadata_props}, a repeated {@code StringStringEntryProto} (key = 1, value = 2). */
    private static final int METADATA_PROPS = 14;
    static final String KEY = "hardneg.version";

    private OnnxVersion() {
    }

    /** The model with its {@code hardneg.version} entry set to {@code version} (added when missing). */
    static byte[] withVersion(byte[] model, String version) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(model.length + 64);
        Reader r = new Reader(model);
        boolean replaced = false;
        while (r.pos < model.length) {
            int start = r.pos;
            long tag = r.varint();
            int field = (int) (tag >>> 3);
            int wireType = (int) (tag & 7);
            int valueStart = r.pos;
            r.skip(wireType);
            if (field == METADATA_PROPS && wireType == 2 && KEY.equals(keyOf(model, valueStart))) {
                writeEntry(out, version);
                replaced = true;
            } else {
                out.write(model, start, r.pos - start);
            }
        }
        if (!replaced) {
            writeEntry(out, version);
        }
        return out.toByteArray();
    }

    /** The key of the metadata entry whose length prefix starts at {@code at}, or null. */
    private static String keyOf(byte[] model, int at) {
        Reader r = new Reader(model);
        r.pos = at;
        int end = (int) r.varint() + r.pos;
        while (r.pos < end) {
            long tag = r.varint();
            if (tag == (1 << 3 | 2)) {
                int len = (int) r.varint();
                return new String(model, r.pos, len, StandardCharsets.UTF_8);
            }
            r.skip((int) (tag & 7));
        }
        return null;
    }

    private static void writeEntry(ByteArrayOutputStream out, String version) {
        ByteArrayOutputStream entry = new ByteArrayOutputStream();
        writeString(entry, 1, KEY);
        writeString(entry, 2, version);
        writeVarint(out, METADATA_PROPS << 3 | 2);
        writeVarint(out, entry.size());
        out.writeBytes(entry.toByteArray());
    }

    private static void writeString(ByteArrayOutputStream out, int field, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        writeVarint(out, field << 3 | 2);
        writeVarint(out, b.length);
        out.writeBytes(b);
    }

    private static void writeVarint(ByteArrayOutputStream out, long v) {
        while ((v & ~0x7FL) != 0) {
            out.write((int) (v & 0x7F) | 0x80);
            v >>>= 7;
        }
        out.write((int) v);
    }

    /** Protocol Buffers' wire format, just enough to step over top-level fields. */
    private static final class Reader {
        private final byte[] b;
        int pos;

        Reader(byte[] b) {
            this.b = b;
        }

        long varint() {
            long v = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                byte x = b[pos++];
                v |= (long) (x & 0x7F) << shift;
                if (x >= 0) {
                    return v;
                }
            }
            throw new IllegalArgumentException("malformed varint at byte " + pos + " of the ONNX model");
        }

        void skip(int wireType) {
            switch (wireType) {
                case 0 -> varint();
                case 1 -> pos += 8;
                case 2 -> {
                    int len = (int) varint(); // read first: "pos += varint()" would add to the old pos
                    pos += len;
                }
                case 5 -> pos += 4;
                default -> throw new IllegalArgumentException("unexpected wire type " + wireType + " at byte " + pos
                        + " of the ONNX model (expected 0, 1, 2 or 5)");
            }
        }
    }
}
