package io.hardneg.data;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;

/** Reads MNIST-style IDX files (images: magic 2051, labels: magic 2049), gzipped or not. */
public final class IdxReader {

    private static final int IMAGES_MAGIC = 0x00000803;
    private static final int LABELS_MAGIC = 0x00000801;

    private IdxReader() {
    }

    /** Reads a pair of IDX streams; the caller closes them. {@code what} names them in errors. */
    public static LabeledImages read(InputStream images, InputStream labels, String what) throws IOException {
        try (DataInputStream img = open(images); DataInputStream lab = open(labels)) {
            int magic = img.readInt();
            if (magic != IMAGES_MAGIC) {
                throw new IOException(what + ": images file has magic 0x" + Integer.toHexString(magic)
                        + ", expected 0x803 (IDX unsigned-byte 3-D)");
            }
            int n = img.readInt();
            int h = img.readInt();
            int w = img.readInt();
            int lmagic = lab.readInt();
            if (lmagic != LABELS_MAGIC) {
                throw new IOException(what + ": labels file has magic 0x" + Integer.toHexString(lmagic)
                        + ", expected 0x801 (IDX unsigned-byte 1-D)");
            }
            int ln = lab.readInt();
            if (ln != n || n < 0 || h <= 0 || w <= 0) {
                throw new IOException(what + ": " + n + " images of " + h + "x" + w + " but " + ln + " labels");
            }
            byte[] pixels = new byte[Math.multiplyExact(Math.multiplyExact(n, h), w)];
            byte[] rawLabels = new byte[n];
            try {
                img.readFully(pixels);
                lab.readFully(rawLabels);
            } catch (EOFException e) {
                throw new IOException(what + ": file is truncated (header announces " + n + " images)", e);
            }
            int[] labelsOut = new int[n];
            for (int i = 0; i < n; i++) {
                labelsOut[i] = rawLabels[i] & 0xff;
            }
            return new LabeledImages(n, h, w, pixels, labelsOut);
        }
    }

    private static DataInputStream open(InputStream raw) throws IOException {
        BufferedInputStream in = new BufferedInputStream(raw, 1 << 16);
        in.mark(2);
        int b1 = in.read();
        int b2 = in.read();
        in.reset();
        boolean gzip = b1 == 0x1f && b2 == 0x8b;
        return new DataInputStream(gzip ? new BufferedInputStream(new GZIPInputStream(in, 1 << 16), 1 << 16) : in);
    }
}
