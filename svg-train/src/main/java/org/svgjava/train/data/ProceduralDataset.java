package org.svgjava.train.data;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * Built-in class-conditional images that need no files: ten shape classes, each sample drawn with its own colours,
 * position, scale and phase from a seed derived from (dataset seed, index). {@code get(i)} is therefore a pure
 * function of the index, whatever order samples are read in, and nothing is held in memory.
 *
 * <p>Classes differ in shape, not colour: foreground and background colours are random for every sample (with a
 * minimum difference in brightness so the shape is always visible). Index {@code i} has class
 * {@code i % 10}, so every prefix of the dataset is balanced.
 */
public final class ProceduralDataset implements Dataset {
    public static final int DEFAULT_IMAGE_SIZE = 32;
    public static final int DEFAULT_SAMPLES_PER_CLASS = 1000;

    /** Drawing per class: how much of the foreground covers the point (u, v) of the unit square. */
    private enum Shape {
        CIRCLE("circle") {
            @Override
            double cover(double u, double v, Params p) {
                return inDisc(u, v, p.cx, p.cy, 0.30 * p.scale);
            }
        },
        SQUARE("square") {
            @Override
            double cover(double u, double v, Params p) {
                double h = 0.26 * p.scale;
                return Math.abs(u - p.cx) <= h && Math.abs(v - p.cy) <= h ? 1 : 0;
            }
        },
        TRIANGLE("triangle") {
            @Override
            double cover(double u, double v, Params p) {
                // apex up: the half-width grows linearly from the apex to the base
                double height = 0.60 * p.scale;
                double top = p.cy - height / 2;
                double t = (v - top) / height;
                return t >= 0 && t <= 1 && Math.abs(u - p.cx) <= 0.34 * p.scale * t ? 1 : 0;
            }
        },
        HORIZONTAL_STRIPES("horizontal stripes") {
            @Override
            double cover(double u, double v, Params p) {
                return frac((v + p.phase) / p.period) < 0.5 ? 1 : 0;
            }
        },
        VERTICAL_STRIPES("vertical stripes") {
            @Override
            double cover(double u, double v, Params p) {
                return frac((u + p.phase) / p.period) < 0.5 ? 1 : 0;
            }
        },
        CHECKERBOARD("checkerboard") {
            @Override
            double cover(double u, double v, Params p) {
                long a = (long) Math.floor((u + p.phase) / p.period);
                long b = (long) Math.floor((v + p.phase2) / p.period);
                return ((a + b) & 1) == 0 ? 1 : 0;
            }
        },
        CROSS("cross") {
            @Override
            double cover(double u, double v, Params p) {
                double arm = 0.36 * p.scale;
                double half = 0.07 * p.scale;
                double du = Math.abs(u - p.cx);
                double dv = Math.abs(v - p.cy);
                return (du <= arm && dv <= half) || (dv <= arm && du <= half) ? 1 : 0;
            }
        },
        RING("ring") {
            @Override
            double cover(double u, double v, Params p) {
                double r = Math.hypot(u - p.cx, v - p.cy);
                return r <= 0.33 * p.scale && r >= 0.20 * p.scale ? 1 : 0;
            }
        },
        DIAGONAL_GRADIENT("diagonal gradient") {
            @Override
            double cover(double u, double v, Params p) {
                // a smooth ramp from the top-left corner to the bottom-right one, the only class without edges
                double t = ((u - p.cx) * Math.cos(p.angle) + (v - p.cy) * Math.sin(p.angle)) / 1.2 + 0.5;
                return Math.min(1, Math.max(0, t));
            }
        },
        TWO_DOTS("two dots") {
            @Override
            double cover(double u, double v, Params p) {
                double dx = 0.22 * p.scale;
                double r = 0.11 * p.scale;
                return Math.max(inDisc(u, v, p.cx - dx, p.cy, r), inDisc(u, v, p.cx + dx, p.cy, r));
            }
        };

        final String displayName;

        Shape(String displayName) {
            this.displayName = displayName;
        }

        abstract double cover(double u, double v, Params p);

        static double inDisc(double u, double v, double cx, double cy, double r) {
            double du = u - cx;
            double dv = v - cy;
            return du * du + dv * dv <= r * r ? 1 : 0;
        }

        static double frac(double x) {
            return x - Math.floor(x);
        }
    }

    /** One sample's random draw. */
    private record Params(int[] background, int[] foreground, double cx, double cy, double scale, double period,
                          double phase, double phase2, double angle) {
        static Params draw(SplittableRandom rng) {
            int[] bg = randomColour(rng);
            int[] fg;
            do {
                fg = randomColour(rng);
            } while (Math.abs(luma(fg) - luma(bg)) < 80);
            return new Params(bg, fg,
                    0.5 + rng.nextDouble(-0.10, 0.10),
                    0.5 + rng.nextDouble(-0.10, 0.10),
                    rng.nextDouble(0.75, 1.0),
                    rng.nextDouble(0.20, 0.28),
                    rng.nextDouble(),
                    rng.nextDouble(),
                    Math.PI / 4 + rng.nextDouble(-0.25, 0.25));
        }

        private static int[] randomColour(SplittableRandom rng) {
            return new int[] {rng.nextInt(256), rng.nextInt(256), rng.nextInt(256)};
        }

        private static double luma(int[] c) {
            return 0.299 * c[0] + 0.587 * c[1] + 0.114 * c[2];
        }
    }

    private static final Shape[] SHAPES = Shape.values();
    private static final List<String> CLASS_NAMES = Arrays.stream(SHAPES).map(s -> s.displayName).toList();

    private final int imageSize;
    private final int samplesPerClass;
    private final long seed;

    private ProceduralDataset(int imageSize, int samplesPerClass, long seed) {
        if (imageSize < 8) {
            throw new IllegalArgumentException("image size " + imageSize + " is too small to draw the shapes (min 8)");
        }
        if (samplesPerClass <= 0 || (long) samplesPerClass * SHAPES.length > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("samples per class must be in 1.." + Integer.MAX_VALUE / SHAPES.length
                    + ", got " + samplesPerClass);
        }
        this.imageSize = imageSize;
        this.samplesPerClass = samplesPerClass;
        this.seed = seed;
    }

    /** {@value #DEFAULT_SAMPLES_PER_CLASS} samples per class at {@value #DEFAULT_IMAGE_SIZE}x{@value #DEFAULT_IMAGE_SIZE}, seed 0. */
    public static ProceduralDataset defaults() {
        return of(DEFAULT_IMAGE_SIZE, DEFAULT_SAMPLES_PER_CLASS, 0);
    }

    public static ProceduralDataset of(int imageSize, int samplesPerClass, long seed) {
        return new ProceduralDataset(imageSize, samplesPerClass, seed);
    }

    public int imageSize() {
        return imageSize;
    }

    @Override
    public int size() {
        return samplesPerClass * SHAPES.length;
    }

    @Override
    public List<String> classNames() {
        return CLASS_NAMES;
    }

    @Override
    public int label(int index) {
        Objects.checkIndex(index, size());
        return index % SHAPES.length;
    }

    @Override
    public Optional<LabeledImage> tryGet(int index) {
        return Optional.of(get(index));
    }

    @Override
    public LabeledImage get(int index) {
        int label = label(index);
        Params p = Params.draw(new SplittableRandom(Seeds.of(seed, index)));
        return new LabeledImage(render(SHAPES[label], p), label);
    }

    /** 2x2 supersampling: enough anti-aliasing that edges at 32 px are not all-or-nothing steps. */
    private Pixels render(Shape shape, Params p) {
        int n = imageSize;
        byte[] rgb = new byte[n * n * 3];
        for (int y = 0; y < n; y++) {
            for (int x = 0; x < n; x++) {
                double cover = 0;
                for (int sy = 0; sy < 2; sy++) {
                    for (int sx = 0; sx < 2; sx++) {
                        cover += shape.cover((x + 0.25 + 0.5 * sx) / n, (y + 0.25 + 0.5 * sy) / n, p);
                    }
                }
                cover /= 4;
                int o = (y * n + x) * 3;
                for (int c = 0; c < 3; c++) {
                    rgb[o + c] = (byte) Math.round(p.background[c] + cover * (p.foreground[c] - p.background[c]));
                }
            }
        }
        return Pixels.wrap(n, n, rgb);
    }

    @Override
    public String toString() {
        return "ProceduralDataset[" + imageSize + "px, " + samplesPerClass + " per class, seed " + seed + "]";
    }
}
