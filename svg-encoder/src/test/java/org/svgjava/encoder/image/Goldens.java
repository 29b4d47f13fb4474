package org.svgjava.encoder.image;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * The Pillow / OpenCV outputs written by {@code preprocess/make_goldens.py}: {@code goldens.npz}, uint8
 * {@code [H, W, 3]} arrays delta-coded as the script's {@code delta2d} describes, and the input images.
 */
final class Goldens {
    private static final Pattern SHAPE = Pattern.compile("'shape':\\s*\\((\\d+),\\s*(\\d+),\\s*3\\)");
    private static Map<String, RgbImage> cache;

    private Goldens() {
    }

    static Path resource(String name) {
        URL url = Goldens.class.getClassLoader().getResource("preprocess/" + name);
        if (url == null) {
            throw new IllegalStateException("preprocess/" + name + " is not on the test class path");
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** An input image as this package reads it. */
    static RgbImage input(String name) {
        try {
            return RgbImage.read(resource(name + ".png"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static synchronized Map<String, RgbImage> all() {
        if (cache == null) {
            cache = load();
        }
        return cache;
    }

    static RgbImage get(String key) {
        RgbImage img = all().get(key);
        if (img == null) {
            throw new IllegalArgumentException("no golden array " + key);
        }
        return img;
    }

    private static Map<String, RgbImage> load() {
        Map<String, RgbImage> out = new TreeMap<>();
        try (InputStream in = Goldens.class.getClassLoader().getResourceAsStream("preprocess/goldens.npz");
             ZipInputStream zip = new ZipInputStream(in)) {
            for (ZipEntry e; (e = zip.getNextEntry()) != null; ) {
                String name = e.getName().replaceFirst("\\.npy$", "");
                out.put(name, parseNpy(name, zip.readAllBytes()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /** A C-ordered {@code |u1} array of shape {@code (H, W, 3)} in .npy format 1.0, 2.0 or 3.0. */
    private static RgbImage parseNpy(String name, byte[] b) {
        if ((b[0] & 0xFF) != 0x93 || !new String(b, 1, 5, StandardCharsets.US_ASCII).equals("NUMPY")) {
            throw new IllegalStateException(name + ": not a .npy array");
        }
        int major = b[6];
        int headerLen;
        int start;
        if (major == 1) {
            headerLen = (b[8] & 0xFF) | (b[9] & 0xFF) << 8;
            start = 10;
        } else {
            headerLen = (b[8] & 0xFF) | (b[9] & 0xFF) << 8 | (b[10] & 0xFF) << 16 | (b[11] & 0xFF) << 24;
            start = 12;
        }
        String header = new String(b, start, headerLen, StandardCharsets.ISO_8859_1);
        Matcher m = SHAPE.matcher(header);
        if (!header.contains("'descr': '|u1'") || !header.contains("'fortran_order': False") || !m.find()) {
            throw new IllegalStateException(name + ": expected a C-ordered uint8 [H, W, 3] array, header " + header);
        }
        int h = Integer.parseInt(m.group(1));
        int w = Integer.parseInt(m.group(2));
        byte[] d = new byte[h * w * 3];
        System.arraycopy(b, start + headerLen, d, 0, d.length);
        undoDelta(d, w * 3);
        return RgbImage.of(w, h, d);
    }

    /** Inverse of {@code delta2d}: add the row above, then the same channel of the pixel to the left. */
    private static void undoDelta(byte[] d, int rowLen) {
        for (int i = rowLen; i < d.length; i++) {
            d[i] += d[i - rowLen];
        }
        for (int i = 0; i < d.length; i++) {
            if (i % rowLen >= 3) {
                d[i] += d[i - 3];
            }
        }
    }

    /** How two images differ: pixels (any channel) and samples that differ, and the largest difference. */
    record Diff(int pixels, int samples, int max) {
        static Diff of(RgbImage a, RgbImage b) {
            if (a.width() != b.width() || a.height() != b.height()) {
                throw new AssertionError("sizes differ: " + a + " vs " + b);
            }
            byte[] x = a.toByteArray();
            byte[] y = b.toByteArray();
            int pixels = 0;
            int samples = 0;
            int max = 0;
            for (int p = 0; p < x.length; p += 3) {
                boolean differs = false;
                for (int c = 0; c < 3; c++) {
                    int dv = Math.abs((x[p + c] & 0xFF) - (y[p + c] & 0xFF));
                    if (dv != 0) {
                        samples++;
                        differs = true;
                        max = Math.max(max, dv);
                    }
                }
                if (differs) {
                    pixels++;
                }
            }
            return new Diff(pixels, samples, max);
        }
    }
}
