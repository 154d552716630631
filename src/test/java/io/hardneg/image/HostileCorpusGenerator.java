package io.hardneg.image;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import java.awt.image.BufferedImage;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;

/**
 * Writes the hostile corpus under {@code src/test/resources/hostile/} (run once, output committed; deterministic).
 * The pixel formulas here are the ones the tests check against, see {@link Corpus}.
 *
 * <p>{@code mvn -o test-compile exec:java} is not configured, so run it with
 * {@code java -cp target/test-classes io.hardneg.image.HostileCorpusGenerator [dir]}.
 */
public final class HostileCorpusGenerator {

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args.length > 0 ? args[0] : "src/test/resources/hostile");
        Files.createDirectories(dir);
        write(dir, "empty.bin", new byte[0]);
        byte[] random = new byte[4096];
        new Random(42).nextBytes(random);
        random[0] = 0x13; // never a magic byte by chance
        write(dir, "random.bin", random);
        write(dir, "text.txt", "BM? no: this is a plain text record, not an image.\n".getBytes(StandardCharsets.UTF_8));

        byte[] gray28 = encode(Corpus.gray28(), "png");
        write(dir, "gray28.png", gray28);
        byte[] large = encode(Corpus.rgb64(), "png");
        write(dir, "large-valid.png", large);
        write(dir, "truncated.png", Arrays.copyOf(large, large.length / 2));
        byte[] jpeg = jpeg(Corpus.rgb64());
        write(dir, "truncated.jpg", Arrays.copyOf(jpeg, jpeg.length * 6 / 10));

        write(dir, "bomb-50000x50000.png", png(50_000, 50_000, 0, new byte[64]));
        write(dir, "zero-size.png", png(0, 0, 0, new byte[0]));
        write(dir, "corrupt-idat.png", corruptIdatPng());
        // 20000×20000: the JDK's BMP reader itself rejects headers whose pixel bytes overflow an int (50000²·3).
        write(dir, "bomb-20000x20000.bmp", bmpHeaderOnly(20_000, 20_000));

        BufferedImage one = new BufferedImage(1, 1, BufferedImage.TYPE_BYTE_GRAY);
        one.getRaster().setSample(0, 0, 0, 200);
        write(dir, "one-pixel.png", encode(one, "png"));
        write(dir, "gray16.png", encode(Corpus.gray16(), "png"));
        write(dir, "palette-transparent.png", encode(Corpus.paletteTransparent(), "png"));
        write(dir, "rgba.png", encode(Corpus.rgba(), "png"));
        write(dir, "bmp.bmp", encode(Corpus.bmpRgb(), "bmp"));
        write(dir, "animated.gif", animatedGif());
        write(dir, "image.tiff", encode(Corpus.gray28(), "tiff"));
        write(dir, "fake.webp", fakeWebp());
        write(dir, "cmyk.jpg", adobe(jpegRaster(Corpus.storedCmyk(false)), 0));
        write(dir, "ycck.jpg", adobe(jpegRaster(Corpus.storedCmyk(true)), 2));
    }

    private static void write(Path dir, String name, byte[] bytes) throws IOException {
        Files.write(dir.resolve(name), bytes);
        System.out.printf("%-28s %8d bytes%n", name, bytes.length);
    }

    static byte[] encode(BufferedImage image, String format) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (!ImageIO.write(image, format, out)) {
            throw new IOException("no " + format + " writer for image type " + image.getType());
        }
        return out.toByteArray();
    }

    private static byte[] jpeg(BufferedImage image) throws IOException {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ImageOutputStream out = ImageIO.createImageOutputStream(bytes)) {
            writer.setOutput(out);
            writer.write(null, new IIOImage(image, null, null), quality(writer));
        } finally {
            writer.dispose();
        }
        return bytes.toByteArray();
    }

    /** A 4-band raster is written as a 4-component JPEG with no colour transform: a CMYK JPEG's layout. */
    private static byte[] jpegRaster(Raster raster) throws IOException {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ImageOutputStream out = ImageIO.createImageOutputStream(bytes)) {
            writer.setOutput(out);
            writer.write(null, new IIOImage(raster, null, null), quality(writer));
        } finally {
            writer.dispose();
        }
        return bytes.toByteArray();
    }

    private static ImageWriteParam quality(ImageWriter writer) {
        ImageWriteParam param = writer.getDefaultWriteParam();
        param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
        param.setCompressionQuality(1f);
        return param;
    }

    /** Inserts the Adobe APP14 marker Photoshop writes (version 100, flags 0, transform) right after SOI. */
    private static byte[] adobe(byte[] jpeg, int transform) {
        byte[] app14 = {(byte) 0xFF, (byte) 0xEE, 0, 14, 'A', 'd', 'o', 'b', 'e', 0, 100, 0, 0, 0, 0, (byte) transform};
        byte[] out = new byte[jpeg.length + app14.length];
        System.arraycopy(jpeg, 0, out, 0, 2);
        System.arraycopy(app14, 0, out, 2, app14.length);
        System.arraycopy(jpeg, 2, out, 2 + app14.length, jpeg.length - 2);
        return out;
    }

    /** Three 16×16 frames of different solid grays (60, 120, 180) on a gray palette. */
    private static byte[] animatedGif() throws IOException {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("gif").next();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ImageOutputStream out = ImageIO.createImageOutputStream(bytes)) {
            writer.setOutput(out);
            writer.prepareWriteSequence(null);
            for (int value : Corpus.GIF_FRAMES) {
                BufferedImage frame = new BufferedImage(16, 16, BufferedImage.TYPE_BYTE_INDEXED, grayPalette());
                WritableRaster r = frame.getRaster();
                for (int y = 0; y < 16; y++) {
                    for (int x = 0; x < 16; x++) {
                        r.setSample(x, y, 0, value);
                    }
                }
                // No metadata: the writer then takes the frame's own palette as the local colour table.
                writer.writeToSequence(new IIOImage(frame, null, null), null);
            }
            writer.endWriteSequence();
        } finally {
            writer.dispose();
        }
        return bytes.toByteArray();
    }

    static IndexColorModel grayPalette() {
        byte[] v = new byte[256];
        for (int i = 0; i < 256; i++) {
            v[i] = (byte) i;
        }
        return new IndexColorModel(8, 256, v, v, v);
    }

    /** A PNG with the given IHDR (8-bit gray) and one IDAT holding the deflated bytes. */
    static byte[] png(int width, int height, int colourType, byte[] raw) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'});
        ByteBuffer ihdr = ByteBuffer.allocate(13).putInt(width).putInt(height)
                .put((byte) 8).put((byte) colourType).put((byte) 0).put((byte) 0).put((byte) 0);
        out.write(chunk("IHDR", ihdr.array()));
        ByteArrayOutputStream idat = new ByteArrayOutputStream();
        try (DeflaterOutputStream z = new DeflaterOutputStream(idat, new Deflater(9))) {
            z.write(raw);
        }
        out.write(chunk("IDAT", idat.toByteArray()));
        out.write(chunk("IEND", new byte[0]));
        return out.toByteArray();
    }

    private static byte[] corruptIdatPng() throws IOException {
        byte[] garbage = new byte[200];
        new Random(7).nextBytes(garbage);
        garbage[0] = 0x78; // a zlib header, then nonsense: the inflater fails, the stream does not end
        garbage[1] = (byte) 0x9C;
        garbage[2] = (byte) 0xFF; // BTYPE 11: an invalid deflate block type
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'});
        out.write(chunk("IHDR", ByteBuffer.allocate(13).putInt(8).putInt(8).put((byte) 8).put((byte) 0)
                .put((byte) 0).put((byte) 0).put((byte) 0).array()));
        out.write(chunk("IDAT", garbage));
        out.write(chunk("IEND", new byte[0]));
        return out.toByteArray();
    }

    private static byte[] chunk(String type, byte[] data) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        byte[] name = type.getBytes(StandardCharsets.US_ASCII);
        out.writeInt(data.length);
        out.write(name);
        out.write(data);
        CRC32 crc = new CRC32();
        crc.update(name);
        crc.update(data);
        out.writeInt((int) crc.getValue());
        return bytes.toByteArray();
    }

    /**
     * An 8-bit RLE8 BMP claiming the size, with a 2-colour palette and an end-of-bitmap code. RLE because the JDK's
     * reader already refuses an uncompressed header whose pixel bytes exceed the file.
     */
    private static byte[] bmpHeaderOnly(int width, int height) {
        int offset = 14 + 40 + 8;
        ByteBuffer b = ByteBuffer.allocate(offset + 2).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 'B').put((byte) 'M').putInt(offset + 2).putInt(0).putInt(offset);
        b.putInt(40).putInt(width).putInt(height).putShort((short) 1).putShort((short) 8).putInt(1)
                .putInt(2).putInt(2835).putInt(2835).putInt(2).putInt(0);
        b.putInt(0).putInt(0xFFFFFF);
        b.put((byte) 0).put((byte) 1);
        return b.array();
    }

    private static byte[] fakeWebp() {
        ByteBuffer b = ByteBuffer.allocate(40).order(ByteOrder.LITTLE_ENDIAN);
        b.put("RIFF".getBytes(StandardCharsets.US_ASCII)).putInt(32).put("WEBPVP8 ".getBytes(StandardCharsets.US_ASCII));
        b.putInt(20);
        return b.array();
    }

    private HostileCorpusGenerator() {
    }
}
