package org.svgjava.train.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.factory.Nd4j;
import org.svgjava.train.data.Pixels;

class ImageGridTest {
    @TempDir
    Path dir;

    /** A w x h image of one colour. */
    private static Pixels flat(int w, int h, int r, int g, int b) {
        byte[] rgb = new byte[w * h * 3];
        for (int i = 0; i < w * h; i++) {
            rgb[3 * i] = (byte) r;
            rgb[3 * i + 1] = (byte) g;
            rgb[3 * i + 2] = (byte) b;
        }
        return Pixels.of(w, h, rgb);
    }

    private static int[] rgbAt(BufferedImage img, int x, int y) {
        int p = img.getRGB(x, y);
        return new int[] {p >> 16 & 0xFF, p >> 8 & 0xFF, p & 0xFF};
    }

    @Test
    void tilesRowMajorWithBlackPadding() throws IOException {
        List<Pixels> images = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            images.add(flat(3, 2, 10 * i + 5, 200, 255 - i));
        }
        Path png = dir.resolve("out/grid.png");
        ImageGrid.write(png, images, 2, 1);

        BufferedImage img = ImageIO.read(png.toFile());
        // 2 columns x 3 rows of 3x2 tiles, 1 px around and between: (2*4+1) x (3*3+1)
        assertThat(img.getWidth()).isEqualTo(9);
        assertThat(img.getHeight()).isEqualTo(10);
        assertThat(rgbAt(img, 0, 0)).containsExactly(0, 0, 0);
        assertThat(rgbAt(img, 1, 1)).containsExactly(5, 200, 255);
        assertThat(rgbAt(img, 3, 2)).containsExactly(5, 200, 255);
        assertThat(rgbAt(img, 4, 1)).as("padding between columns").containsExactly(0, 0, 0);
        assertThat(rgbAt(img, 5, 1)).containsExactly(15, 200, 254);
        assertThat(rgbAt(img, 1, 4)).containsExactly(25, 200, 253);
        assertThat(rgbAt(img, 7, 8)).as("image 4: third row, first column").containsExactly(0, 0, 0);
        assertThat(rgbAt(img, 2, 8)).containsExactly(45, 200, 251);
        assertThat(rgbAt(img, 6, 7)).as("no sixth image: background").containsExactly(0, 0, 0);
        try (var s = Files.list(png.getParent())) {
            assertThat(s.toList()).as("no temporary files left").containsExactly(png);
        }
    }

    @Test
    void convertsMinusOneToOneFloatsToBytes() throws IOException {
        // one 1x7 image; channel 0 carries the probe values, channels 1 and 2 are -1 and 1
        float[] probe = {-1f, 1f, 0f, 0.999f, Float.NaN, 2f, -3f};
        float[] data = new float[3 * 7];
        System.arraycopy(probe, 0, data, 0, 7);
        java.util.Arrays.fill(data, 7, 14, -1f);
        java.util.Arrays.fill(data, 14, 21, 1f);
        var x = Nd4j.create(data, new long[] {1, 3, 1, 7}, org.nd4j.linalg.api.buffer.DataType.FLOAT);

        Path png = dir.resolve("g.png");
        ImageGrid.write(png, x, 8, 0);
        BufferedImage img = ImageIO.read(png.toFile());
        assertThat(img.getWidth()).isEqualTo(7);
        assertThat(img.getHeight()).isEqualTo(1);
        int[] red = new int[7];
        for (int i = 0; i < 7; i++) {
            red[i] = rgbAt(img, i, 0)[0];
            assertThat(rgbAt(img, i, 0)[1]).isZero();
            assertThat(rgbAt(img, i, 0)[2]).isEqualTo(255);
        }
        // (x + 1) / 2 * 255 = 0, 255, 127.5 -> 128, 254.87 -> 255, NaN -> 0, clamped 382.5 and -255
        assertThat(red).containsExactly(0, 255, 128, 255, 0, 255, 0);
    }

    @Test
    void rejectsMixedSizesAndBadShapes() {
        assertThatThrownBy(() -> ImageGrid.write(dir.resolve("a.png"), List.of(flat(2, 2, 0, 0, 0),
                flat(3, 2, 0, 0, 0)), 2, 0)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("3x2");
        assertThatThrownBy(() -> ImageGrid.write(dir.resolve("a.png"), List.of(), 2, 0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ImageGrid.write(dir.resolve("a.png"), Nd4j.zeros(2, 1, 4, 4), 2, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[N, 3, H, W]");
        assertThat(dir.resolve("a.png")).doesNotExist();
    }
}
