package org.svgjava.train.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LossCurvesTest {
    @TempDir
    Path dir;

    private static double[][] decaying(int n, double scale) {
        double[][] xy = new double[2][n];
        for (int i = 0; i < n; i++) {
            xy[0][i] = i * 10;
            xy[1][i] = scale * Math.exp(-i / 30.0) + 0.05;
        }
        return xy;
    }

    private static int distinctColours(BufferedImage img) {
        Set<Integer> colours = new HashSet<>();
        for (int y = 0; y < img.getHeight(); y += 3) {
            for (int x = 0; x < img.getWidth(); x += 3) {
                colours.add(img.getRGB(x, y));
            }
        }
        return colours.size();
    }

    @Test
    void writesAChartThatDecodes() throws IOException {
        Map<String, double[][]> series = new LinkedHashMap<>();
        series.put("train", decaying(200, 2));
        series.put("val", decaying(20, 2.5));
        Path png = dir.resolve("plots/loss.png");
        LossCurves.write(png, series);
        BufferedImage img = ImageIO.read(png.toFile());
        assertThat(img).isNotNull();
        assertThat(img.getWidth()).isEqualTo(LossCurves.Style.DEFAULT.width());
        assertThat(img.getHeight()).isEqualTo(LossCurves.Style.DEFAULT.height());
        assertThat(distinctColours(img)).as("lines, axes and text, not a blank image").isGreaterThan(5);
    }

    @Test
    void survivesNaNsEmptySeriesAndLogAxesOverNonPositiveValues() throws IOException {
        double[][] diverged = decaying(50, 1);
        diverged[1][40] = Double.NaN;
        diverged[1][41] = Double.POSITIVE_INFINITY;
        diverged[1][0] = -1;
        Map<String, double[][]> series = new LinkedHashMap<>();
        series.put("loss", diverged);
        series.put("empty", new double[][] {{}, {}});
        Path png = dir.resolve("nan.png");
        LossCurves.write(png, series, new LossCurves.Style("diverged", "step", "loss", 400, 300, true));
        BufferedImage img = ImageIO.read(png.toFile());
        assertThat(img.getWidth()).isEqualTo(400);
        assertThat(img.getHeight()).isEqualTo(300);

        assertThatThrownBy(() -> LossCurves.write(dir.resolve("bad.png"),
                Map.of("x", new double[][] {{1, 2}, {1}})))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'x'");
        assertThat(dir.resolve("bad.png")).doesNotExist();
    }
}
