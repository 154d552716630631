package io.hardneg.image;

import io.hardneg.error.ErrorCode;
import io.hardneg.error.InvalidInputException;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentSampleModel;
import java.awt.image.DataBufferByte;
import java.awt.image.Raster;
import java.nio.FloatBuffer;
import java.util.Objects;

/**
 * Decodes PNG, JPEG, BMP and GIF bytes into the model's normalised C×H×W floats. Thread-safe.
 *
 * <p>Steps: byte limit, magic-byte sniffing (TIFF, WebP and the rest are refused even where the JDK could read
 * them), width × height from the header against {@link DecodeLimits} before any pixel is decoded, decoding, then
 * conversion to the model's channels ({@link PixelConverter}: alpha composited over black, luma for one channel,
 * CMYK converted naively), resizing when the size differs ({@link Resizer}: area average when shrinking, bilinear
 * with {@code align_corners=False} when enlarging, none when equal), and {@code (v/255 - mean[c]) / std[c]}.
 * Animated GIFs: the first frame only.
 */
public final class ImageDecoder {

    static {
        // JVM-wide: ImageIO would otherwise back streams with temp files, far slower
        // (docs/decisions/0006-decoding-plain-png-reader-and-imageio-in-memory.md).
        ImageIO.setUseCache(false);
    }

    private final InputSpec spec;
    private final DecodeLimits limits;
    /** normalised value of each 8-bit level per channel: the fast path and the general path agree exactly. */
    private final float[][] levels;
    private final boolean plainPng;
    /** Per thread: the plain-PNG path's resize buffers (decoding runs on several threads at once). */
    private final ThreadLocal<Resizer.Workspace> resizing = ThreadLocal.withInitial(Resizer.Workspace::new);

    public ImageDecoder(InputSpec spec, DecodeLimits limits) {
        this(spec, limits, true);
    }

    /** {@code plainPng = false} sends every PNG through ImageIO (to compare the two paths). */
    ImageDecoder(InputSpec spec, DecodeLimits limits, boolean plainPng) {
        this.plainPng = plainPng;
        this.spec = Objects.requireNonNull(spec, "spec");
        this.limits = Objects.requireNonNull(limits, "limits");
        this.levels = new float[spec.channels()][256];
        for (int c = 0; c < spec.channels(); c++) {
            for (int v = 0; v < 256; v++) {
                levels[c][v] = normalise(v, c);
            }
        }
    }

    public InputSpec spec() {
        return spec;
    }

    public DecodeLimits limits() {
        return limits;
    }

    /** Writes spec().size() floats at dst[offset..] (absolute puts; dst position untouched). */
    public void decodeInto(byte[] bytes, FloatBuffer dst, int offset) throws InvalidInputException {
        Objects.requireNonNull(dst, "dst");
        if (offset < 0 || (long) offset + spec.size() > dst.limit()) {
            throw new IndexOutOfBoundsException("need " + spec.size() + " floats at offset " + offset
                    + ", buffer limit is " + dst.limit());
        }
        String format = checkEnvelope(bytes);
        if (plainPng && FormatSniffer.PNG.equals(format)) {
            PlainPngReader.Pixels pixels = PlainPngReader.inflate(bytes, limits.maxPixels());
            if (pixels != null) {
                writeGray(pixels, dst, offset);
                return;
            }
        }
        DecodedImage decoded = ImageReading.read(format, bytes, limits);
        if (!writeGrayFast(decoded.image(), dst, offset)) {
            float[] planes = decoded.toPlanes(spec.channels());
            planes = Resizer.resize(planes, spec.channels(), decoded.height(), decoded.width(),
                    spec.height(), spec.width());
            int plane = spec.planeSize();
            for (int c = 0; c < spec.channels(); c++) {
                int base = c * plane;
                for (int i = 0; i < plane; i++) {
                    dst.put(offset + base + i, normalise(planes[base + i], c));
                }
            }
        }
    }

    public float[] decode(byte[] bytes) throws InvalidInputException {
        float[] out = new float[spec.size()];
        decodeInto(bytes, FloatBuffer.wrap(out), 0);
        return out;
    }

    /** The sniffed format name ("png","jpeg","bmp","gif") or throws UNSUPPORTED_FORMAT / EMPTY. */
    public static String sniffFormat(byte[] bytes) throws InvalidInputException {
        return FormatSniffer.sniff(bytes);
    }

    private String checkEnvelope(byte[] bytes) throws InvalidInputException {
        if (bytes == null || bytes.length == 0) {
            throw new InvalidInputException(ErrorCode.EMPTY, "record has no bytes, expected an image");
        }
        if (bytes.length > limits.maxBytes()) {
            throw new InvalidInputException(ErrorCode.TOO_LARGE,
                    "record is " + bytes.length + " bytes, limit is " + limits.maxBytes());
        }
        return FormatSniffer.sniff(bytes);
    }

    /**
     * The common case (an 8-bit gray image already at the model's size, e.g. Fashion-MNIST): bytes straight to
     * floats through the level table, no intermediate planes.
     */
    private boolean writeGrayFast(BufferedImage image, FloatBuffer dst, int offset) {
        if (image == null || image.getType() != BufferedImage.TYPE_BYTE_GRAY
                || image.getWidth() != spec.width() || image.getHeight() != spec.height()) {
            return false;
        }
        Raster raster = image.getRaster();
        if (!(raster.getDataBuffer() instanceof DataBufferByte buffer)
                || !(raster.getSampleModel() instanceof ComponentSampleModel model)
                || raster.getSampleModelTranslateX() != 0 || raster.getSampleModelTranslateY() != 0) {
            return false;
        }
        byte[] data = buffer.getData();
        int stride = model.getScanlineStride();
        int pixelStride = model.getPixelStride();
        int start = buffer.getOffset() + model.getBandOffsets()[0];
        int w = spec.width();
        int plane = spec.planeSize();
        for (int c = 0; c < spec.channels(); c++) {
            float[] table = levels[c];
            for (int y = 0; y < spec.height(); y++) {
                int in = start + y * stride;
                int out = offset + c * plane + y * w;
                for (int x = 0; x < w; x++) {
                    dst.put(out + x, table[data[in + x * pixelStride] & 0xFF]);
                }
            }
        }
        return true;
    }

    /**
     * A plain gray PNG's levels into the model's planes, with exactly the general path's arithmetic: levels through
     * the table at the model's size; otherwise one plane of levels resized once (every channel of a gray image is
     * the same plane, and the general path resizes each identically) and normalised per channel.
     */
    private void writeGray(PlainPngReader.Pixels px, FloatBuffer dst, int offset) {
        int w = spec.width();
        int h = spec.height();
        int plane = spec.planeSize();
        if (px.width() == w && px.height() == h) {
            for (int c = 0; c < spec.channels(); c++) {
                float[] table = levels[c];
                for (int y = 0; y < h; y++) {
                    int out = offset + c * plane + y * w;
                    for (int x = 0; x < w; x++) {
                        dst.put(out + x, table[px.level(y, x)]);
                    }
                }
            }
            return;
        }
        Resizer.Workspace ws = resizing.get();
        float[] gray = ws.source(px.width() * px.height());
        for (int y = 0; y < px.height(); y++) {
            for (int x = 0; x < px.width(); x++) {
                gray[y * px.width() + x] = px.level(y, x);
            }
        }
        float[] resized = Resizer.resize(gray, 1, px.height(), px.width(), h, w, ws);
        for (int c = 0; c < spec.channels(); c++) {
            int base = offset + c * plane;
            for (int i = 0; i < plane; i++) {
                dst.put(base + i, normalise(resized[i], c));
            }
        }
    }

    private float normalise(float v, int c) {
        return (v / 255f - spec.mean(c)) / spec.std(c);
    }
}
