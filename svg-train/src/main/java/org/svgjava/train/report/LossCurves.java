package org.svgjava.train.report;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.svgjava.core.io.AtomicFiles;

/**
 * Line charts of training curves as PNG, drawn off-screen with XChart. Non-finite points (a loss that went NaN)
 * are left out rather than failing the plot, since the plot is most wanted exactly when a run diverges.
 */
public final class LossCurves {
    static {
        // training runs on servers without a display; AWT must not try to open one
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    /** Title, axis titles, size in pixels, and whether the y axis is logarithmic. */
    public record Style(String title, String xTitle, String yTitle, int width, int height, boolean logY) {
        public static final Style DEFAULT = new Style("training", "step", "loss", 900, 500, false);

        public Style {
            if (width <= 0 || height <= 0) {
                throw new IllegalArgumentException("chart size must be positive, got " + width + "x" + height);
            }
        }

        public Style withLogY(boolean log) {
            return new Style(title, xTitle, yTitle, width, height, log);
        }

        public Style withTitle(String t) {
            return new Style(t, xTitle, yTitle, width, height, logY);
        }
    }

    private LossCurves() {
    }

    /** Writes {@code series} with {@link Style#DEFAULT}. */
    public static void write(Path png, Map<String, double[][]> series) throws IOException {
        write(png, series, Style.DEFAULT);
    }

    /**
     * Writes one chart with a line per entry of {@code series}, in map order.
     *
     * @param series name to {@code {xs, ys}}, two arrays of equal length (e.g. steps and losses)
     * @throws IllegalArgumentException when a series is not two arrays of equal length
     */
    public static void write(Path png, Map<String, double[][]> series, Style style) throws IOException {
        XYChart chart = new XYChartBuilder().width(style.width()).height(style.height()).title(style.title())
                .xAxisTitle(style.xTitle()).yAxisTitle(style.yTitle()).build();
        chart.getStyler().setLegendVisible(series.size() > 1);
        // XChart's default spacing runs step labels such as "100110120" together
        chart.getStyler().setXAxisTickMarkSpacingHint(Math.max(80, style.width() / 10));
        chart.getStyler().setXAxisDecimalPattern("#,##0.##");
        boolean allPositive = true;
        int drawn = 0;
        for (Map.Entry<String, double[][]> e : series.entrySet()) {
            double[][] xy = finitePoints(e.getKey(), e.getValue());
            if (xy[0].length == 0) {
                continue;
            }
            allPositive &= Arrays.stream(xy[1]).allMatch(v -> v > 0);
            XYSeries s = chart.addSeries(e.getKey(), xy[0], xy[1]);
            s.setMarker(SeriesMarkers.NONE);
            drawn++;
        }
        // a log axis cannot show zero or negative values; fall back to linear rather than failing the report
        chart.getStyler().setYAxisLogarithmic(style.logY() && allPositive && drawn > 0);
        byte[] bytes = BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
        AtomicFiles.write(png, out -> out.write(bytes));
    }

    private static double[][] finitePoints(String name, double[][] xy) {
        Objects.requireNonNull(xy, name);
        if (xy.length != 2 || xy[0] == null || xy[1] == null || xy[0].length != xy[1].length) {
            throw new IllegalArgumentException("series '" + name + "' must be {xs, ys} of equal length");
        }
        int n = 0;
        double[] xs = new double[xy[0].length];
        double[] ys = new double[xy[0].length];
        for (int i = 0; i < xs.length; i++) {
            if (Double.isFinite(xy[0][i]) && Double.isFinite(xy[1][i])) {
                xs[n] = xy[0][i];
                ys[n] = xy[1][i];
                n++;
            }
        }
        return new double[][] {Arrays.copyOf(xs, n), Arrays.copyOf(ys, n)};
    }
}
