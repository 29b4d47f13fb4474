package org.svgjava.train.data;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.util.Arrays;

/**
 * An immutable 8-bit RGB image stored as {@code [height, width, 3]} interleaved bytes, the layout of
 * {@code np.array(pil_image.convert("RGB"))}, so it converts to and from the encoder's {@code RgbImage} by a plain
 * byte copy.
 */
public final class Pixels {
    private final int width;
    private final int height;
    private final byte[] rgb;

    private Pixels(int width, int height, byte[] rgb) {
        this.width = width;
        this.height = height;
        this.rgb = rgb;
    }

    /** Pixels from {@code [height, width, 3]} bytes (copied). */
    public static Pixels of(int width, int height, byte[] rgb) {
        checkSize(width, height);
        if (rgb.length != width * height * 3) {
            throw new IllegalArgumentException("expected " + width * height * 3 + " bytes for a " + width + "x" + height
                    + " RGB image, got " + rgb.length);
        }
        return new Pixels(width, height, rgb.clone());
    }

    /** Takes ownership of a buffer nobody else holds, saving the copy for images built in this package. */
    static Pixels wrap(int width, int height, byte[] rgb) {
        return new Pixels(width, height, rgb);
    }

    /** A grey image ({@code [height, width]} bytes) with the value copied to R, G and B. */
    public static Pixels fromGrey(int width, int height, byte[] grey, int offset) {
        checkSize(width, height);
        byte[] rgb = new byte[width * height * 3];
        for (int i = 0, n = width * height; i < n; i++) {
            byte v = grey[offset + i];
            rgb[3 * i] = v;
            rgb[3 * i + 1] = v;
            rgb[3 * i + 2] = v;
        }
        return new Pixels(width, height, rgb);
    }

    private static void checkSize(int width, int height) {
        if (width <= 0 || height <= 0 || (long) width * height * 3 > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("unsupported image size " + width + "x" + height);
        }
    }

    /**
     * Converts a decoded image. Alpha is dropped without compositing, as PIL's {@code convert("RGB")} does. 8-bit
     * grey is copied to R=G=B rather than going through {@link BufferedImage#getRGB}, which treats Java's grey as
     * linear and would brighten every mid-tone.
     */
    public static Pixels fromBufferedImage(BufferedImage img) {
        int w = img.getWidth();
        int h = img.getHeight();
        checkSize(w, h);
        byte[] out = new byte[w * h * 3];
        Raster raster = img.getRaster();
        boolean grey = img.getColorModel().getColorSpace().getType() == ColorSpace.TYPE_GRAY
                && raster.getNumBands() <= 2;
        int[] row = new int[w];
        for (int y = 0; y < h; y++) {
            int base = y * w * 3;
            if (grey) {
                raster.getSamples(0, y, w, 1, 0, row);
                int shift = Math.max(0, raster.getSampleModel().getSampleSize(0) - 8);
                for (int x = 0; x < w; x++) {
                    byte v = (byte) (row[x] >>> shift);
                    out[base + 3 * x] = v;
                    out[base + 3 * x + 1] = v;
                    out[base + 3 * x + 2] = v;
                }
            } else {
                img.getRGB(0, y, w, 1, row, 0, w);
                for (int x = 0; x < w; x++) {
                    int p = row[x];
                    out[base + 3 * x] = (byte) (p >>> 16);
                    out[base + 3 * x + 1] = (byte) (p >>> 8);
                    out[base + 3 * x + 2] = (byte) p;
                }
            }
        }
        return new Pixels(w, h, out);
    }

    /** A {@code TYPE_3BYTE_BGR} image, the type the JDK's PNG and JPEG writers handle without conversion. */
    public BufferedImage toBufferedImage() {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
        WritableRaster r = img.getRaster();
        int[] row = new int[width * 3];
        for (int y = 0; y < height; y++) {
            for (int i = 0; i < width * 3; i++) {
                row[i] = rgb[y * width * 3 + i] & 0xFF;
            }
            r.setPixels(0, y, width, 1, row);
        }
        return img;
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    /** Channel {@code c} (0 R, 1 G, 2 B) at column x, row y, in 0..255. */
    public int get(int x, int y, int c) {
        return rgb[(y * width + x) * 3 + c] & 0xFF;
    }

    /** The {@code [height, width, 3]} bytes (a copy). */
    public byte[] rgbBytes() {
        return rgb.clone();
    }

    /**
     * The usual network input: {@code [3, height, width]} floats, {@code x / 127.5 - 1}, so 0 maps to -1 and 255
     * to 1 (torchvision's {@code ToTensor} then {@code Normalize(0.5, 0.5)}).
     */
    public float[] toChwMinusOneOne() {
        int plane = width * height;
        float[] out = new float[3 * plane];
        for (int i = 0; i < plane; i++) {
            for (int c = 0; c < 3; c++) {
                out[c * plane + i] = (rgb[3 * i + c] & 0xFF) / 127.5f - 1f;
            }
        }
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Pixels p && p.width == width && p.height == height && Arrays.equals(p.rgb, rgb);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * width + height) + Arrays.hashCode(rgb);
    }

    @Override
    public String toString() {
        return "Pixels[" + width + "x" + height + "]";
    }
}
