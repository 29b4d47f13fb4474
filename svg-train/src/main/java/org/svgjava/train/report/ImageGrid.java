package org.svgjava.train.report;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.svgjava.core.io.AtomicFiles;
import org.svgjava.train.data.Pixels;

/**
 * Tiles images into one PNG, laid out like torchvision's {@code make_grid}: {@code columns} per row, left to
 * right then top to bottom, with {@code padding} black pixels between the tiles and around the edge.
 */
public final class ImageGrid {
    private ImageGrid() {
    }

    /**
     * Writes {@code images} (all the same size) as one PNG.
     *
     * @throws IllegalArgumentException for an empty list, images of different sizes, or a non-positive column
     *                                  count or negative padding
     */
    public static void write(Path png, List<Pixels> images, int columns, int padding) throws IOException {
        BufferedImage grid = tile(images, columns, padding);
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        if (!ImageIO.write(grid, "png", buf)) {
            throw new IOException("no PNG writer available in ImageIO");
        }
        AtomicFiles.write(png, out -> buf.writeTo(out));
    }

    /** Writes a {@code [N, 3, H, W]} batch with values in [-1, 1] (a decoder's output) as one PNG. */
    public static void write(Path png, INDArray images, int columns, int padding) throws IOException {
        write(png, fromMinusOneOne(images), columns, padding);
    }

    /**
     * Converts {@code [N, 3, H, W]} floats in [-1, 1] to 8-bit images with {@code clamp(round((x + 1) / 2 * 255))};
     * NaN becomes 0.
     */
    public static List<Pixels> fromMinusOneOne(INDArray images) {
        if (images.rank() != 4 || images.size(1) != 3) {
            throw new IllegalArgumentException("expected images of shape [N, 3, H, W], got "
                    + Arrays.toString(images.shape()));
        }
        int n = (int) images.size(0);
        int h = (int) images.size(2);
        int w = (int) images.size(3);
        float[] all = images.castTo(DataType.FLOAT).dup('c').data().asFloat();
        int plane = h * w;
        List<Pixels> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            byte[] rgb = new byte[plane * 3];
            int base = i * 3 * plane;
            for (int c = 0; c < 3; c++) {
                for (int p = 0; p < plane; p++) {
                    rgb[3 * p + c] = (byte) toByte(all[base + c * plane + p]);
                }
            }
            out.add(Pixels.of(w, h, rgb));
        }
        return out;
    }

    /** {@code clamp(round((x + 1) / 2 * 255), 0, 255)}. */
    static int toByte(float x) {
        int v = Math.round((x + 1f) / 2f * 255f);
        return Math.max(0, Math.min(255, v));
    }

    static BufferedImage tile(List<Pixels> images, int columns, int padding) {
        if (images.isEmpty()) {
            throw new IllegalArgumentException("no images to tile");
        }
        if (columns <= 0 || padding < 0) {
            throw new IllegalArgumentException("need columns > 0 and padding >= 0, got " + columns + " and " + padding);
        }
        int w = images.get(0).width();
        int h = images.get(0).height();
        int cols = Math.min(columns, images.size());
        int rows = (images.size() + cols - 1) / cols;
        BufferedImage grid = new BufferedImage(cols * (w + padding) + padding, rows * (h + padding) + padding,
                BufferedImage.TYPE_INT_RGB);
        int[] row = new int[w];
        for (int i = 0; i < images.size(); i++) {
            Pixels p = images.get(i);
            if (p.width() != w || p.height() != h) {
                throw new IllegalArgumentException("image " + i + " is " + p.width() + "x" + p.height() + ", image 0 is "
                        + w + "x" + h);
            }
            int x0 = padding + (i % cols) * (w + padding);
            int y0 = padding + (i / cols) * (h + padding);
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    row[x] = p.get(x, y, 0) << 16 | p.get(x, y, 1) << 8 | p.get(x, y, 2);
                }
                grid.setRGB(x0, y0 + y, w, 1, row, 0, w);
            }
        }
        return grid;
    }
}
