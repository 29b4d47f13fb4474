package org.svgjava.encoder.image;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;
import javax.imageio.ImageIO;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An immutable 8-bit RGB image, row-major with interleaved channels: what {@code np.array(pil_image.convert("RGB"))}
 * holds, shape {@code [height, width, 3]}.
 */
public final class RgbImage {
    private static final Logger LOG = LoggerFactory.getLogger(RgbImage.class);

    private final int width;
    private final int height;
    private final byte[] rgb;

    private RgbImage(int width, int height, byte[] rgb) {
        this.width = width;
        this.height = height;
        this.rgb = rgb;
    }

    /** An image of the given pixels ({@code [height, width, 3]} bytes, copied). */
    public static RgbImage of(int width, int height, byte[] rgb) {
        checkSize(width, height);
        if (rgb.length != (long) width * height * 3) {
            throw new IllegalArgumentException("expected " + (long) width * height * 3 + " bytes for a " + width + "x"
                    + height + " RGB image, got " + rgb.length);
        }
        return new RgbImage(width, height, rgb.clone());
    }

    /** Wraps a buffer that nothing else holds: the resamplers' outputs, without a copy. */
    static RgbImage wrap(int width, int height, byte[] rgb) {
        return new RgbImage(width, height, rgb);
    }

    private static void checkSize(int width, int height) {
        if (width <= 0 || height <= 0 || (long) width * height * 3 > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("unsupported image size " + width + "x" + height);
        }
    }

    /**
     * Reads an image file with {@link ImageIO} (PNG, JPEG, BMP, GIF with the plain JDK) and converts it as
     * {@code PIL.Image.open(f).convert("RGB")} does. As in PIL, the EXIF orientation is not applied.
     *
     * @throws IOException naming the file when it is missing, or when no reader can decode it
     */
    public static RgbImage read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, "no such image file");
        }
        BufferedImage img;
        try {
            img = ImageIO.read(file.toFile());
        } catch (IOException | RuntimeException e) {
            // ImageIO's messages ("Error reading PNG image data") do not say which file
            throw new IOException("cannot decode image " + file + ": " + e.getMessage(), e);
        }
        if (img == null) {
            throw new IOException("cannot decode image " + file + ": not in a format ImageIO can read");
        }
        return fromBufferedImage(img);
    }

    /**
     * Converts any {@link BufferedImage} as PIL's {@code convert("RGB")} converts the matching mode: grey is
     * replicated into the three channels, a palette is looked up, alpha is dropped without compositing onto a
     * background. Grey samples are taken from the raster: {@link BufferedImage#getRGB} would run them through
     * Java's linear-grey to sRGB conversion and brighten them, which PIL never does.
     */
    public static RgbImage fromBufferedImage(BufferedImage img) {
        int w = img.getWidth();
        int h = img.getHeight();
        checkSize(w, h);
        ColorModel cm = img.getColorModel();
        byte[] out = new byte[w * h * 3];
        if (cm instanceof ComponentColorModel && cm.getColorSpace().getType() == ColorSpace.TYPE_GRAY) {
            readGrey(img.getRaster(), cm.getComponentSize(0), out);
        } else if (cm instanceof ComponentColorModel && cm.getColorSpace().isCS_sRGB()
                && !cm.isAlphaPremultiplied() && cm.getComponentSize(0) == 16) {
            readRgb16(img.getRaster(), out);
        } else {
            int[] row = new int[w];
            for (int y = 0; y < h; y++) {
                img.getRGB(0, y, w, 1, row, 0, w);
                for (int x = 0, o = y * w * 3; x < w; x++, o += 3) {
                    int p = row[x];
                    out[o] = (byte) (p >> 16);
                    out[o + 1] = (byte) (p >> 8);
                    out[o + 2] = (byte) p;
                }
            }
        }
        return new RgbImage(w, h, out);
    }

    /**
     * Grey (with or without alpha) at any bit depth, as PIL's PNG decoder and {@code convert("RGB")} give it:
     * 1, 2 and 4-bit samples are stretched to 0..255, 16-bit ones are clipped at 255 (PIL's {@code I;16 -> RGB}).
     */
    private static void readGrey(Raster r, int bits, byte[] out) {
        int w = r.getWidth();
        int h = r.getHeight();
        int max = (1 << bits) - 1;
        if (bits > 8) {
            LOG.debug("{}-bit grey image: samples above 255 are clipped, as PIL does", bits);
        }
        int[] row = new int[w];
        for (int y = 0; y < h; y++) {
            r.getSamples(r.getMinX(), r.getMinY() + y, w, 1, 0, row);
            for (int x = 0, o = y * w * 3; x < w; x++, o += 3) {
                int v = row[x];
                int g = bits < 8 ? v * 255 / max : Math.min(v, 255);
                out[o] = out[o + 1] = out[o + 2] = (byte) g;
            }
        }
    }

    /** 16-bit RGB: PIL keeps the high byte, where {@link BufferedImage#getRGB} would round. */
    private static void readRgb16(Raster r, byte[] out) {
        int w = r.getWidth();
        int h = r.getHeight();
        int[] row = new int[w];
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < h; y++) {
                r.getSamples(r.getMinX(), r.getMinY() + y, w, 1, c, row);
                for (int x = 0, o = y * w * 3 + c; x < w; x++, o += 3) {
                    out[o] = (byte) (row[x] >> 8);
                }
            }
        }
    }

    /** A {@link BufferedImage#TYPE_INT_RGB} copy, e.g. to write with {@link ImageIO}. */
    public BufferedImage toBufferedImage() {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        int[] row = new int[width];
        for (int y = 0; y < height; y++) {
            for (int x = 0, o = y * width * 3; x < width; x++, o += 3) {
                row[x] = (rgb[o] & 0xFF) << 16 | (rgb[o + 1] & 0xFF) << 8 | (rgb[o + 2] & 0xFF);
            }
            img.setRGB(0, y, width, 1, row, 0, width);
        }
        return img;
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    /** The sample of channel {@code c} (0 red, 1 green, 2 blue) at column {@code x}, row {@code y}, 0..255. */
    public int get(int x, int y, int c) {
        Objects.checkIndex(x, width);
        Objects.checkIndex(y, height);
        Objects.checkIndex(c, 3);
        return rgb[(y * width + x) * 3 + c] & 0xFF;
    }

    /** The pixels, {@code [height, width, 3]}, as a copy. */
    public byte[] toByteArray() {
        return rgb.clone();
    }

    /** The pixel buffer itself, for the resamplers of this package, which never write to it. */
    byte[] buffer() {
        return rgb;
    }

    /** The {@code w x h} window whose top-left pixel is {@code (x, y)}: {@code arr[y:y+h, x:x+w]}. */
    public RgbImage crop(int x, int y, int w, int h) {
        if (x < 0 || y < 0 || w <= 0 || h <= 0 || x + w > width || y + h > height) {
            throw new IllegalArgumentException("crop " + w + "x" + h + " at (" + x + ", " + y + ") does not fit in a "
                    + width + "x" + height + " image");
        }
        byte[] out = new byte[w * h * 3];
        for (int r = 0; r < h; r++) {
            System.arraycopy(rgb, ((y + r) * width + x) * 3, out, r * w * 3, w * 3);
        }
        return new RgbImage(w, h, out);
    }

    /** Mirrored left to right ({@code arr[:, ::-1]}, torchvision's {@code hflip}). */
    public RgbImage flipHorizontal() {
        byte[] out = new byte[rgb.length];
        for (int y = 0; y < height; y++) {
            int row = y * width * 3;
            for (int x = 0; x < width; x++) {
                System.arraycopy(rgb, row + x * 3, out, row + (width - 1 - x) * 3, 3);
            }
        }
        return new RgbImage(width, height, out);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RgbImage other && width == other.width && height == other.height
                && Arrays.equals(rgb, other.rgb);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * width + height) + Arrays.hashCode(rgb);
    }

    @Override
    public String toString() {
        return "RgbImage[" + width + "x" + height + "]";
    }
}
