package org.svgjava.encoder.image;

import java.util.Arrays;

/**
 * Pillow's {@code Image.resize(size, resample)} for RGB images, bit-exact with Pillow 9.x
 * ({@code libImaging/Resample.c}, {@code ImagingResample} on 8-bit bands): a horizontal pass, then a vertical pass
 * over its 8-bit output, each skipped when its size does not change. Per output pixel the filter window and
 * weights are computed in double, normalised to sum 1 and rounded to 22-bit fixed point; the sum of pixel times
 * weight is accumulated in int. Everything below keeps Pillow's order of operations, since the doubles are rounded
 * to ints and a different rounding path would move some pixels by one.
 */
public final class PilResize {
    /** Pillow's resampling filters that the SVG pipelines use, with Pillow's support radii. */
    public enum Filter {
        /** {@code Image.BOX}: the mean over each output pixel's footprint (ADM's repeated halving). */
        BOX(0.5) {
            @Override
            double weight(double x) {
                return x > -0.5 && x <= 0.5 ? 1.0 : 0.0;
            }
        },
        /** {@code Image.BILINEAR}: the triangle filter, widened when downscaling (antialiased). */
        BILINEAR(1.0) {
            @Override
            double weight(double x) {
                double ax = Math.abs(x);
                return ax < 1.0 ? 1.0 - ax : 0.0;
            }
        },
        /** {@code Image.BICUBIC}: Keys' cubic convolution with a = -0.5, widened when downscaling. */
        BICUBIC(2.0) {
            @Override
            double weight(double x) {
                final double a = -0.5;
                double ax = Math.abs(x);
                if (ax < 1.0) {
                    return ((a + 2.0) * ax - (a + 3.0)) * ax * ax + 1;
                }
                if (ax < 2.0) {
                    return (((ax - 5) * ax + 8) * ax - 4) * a;
                }
                return 0.0;
            }
        };

        private final double support;

        Filter(double support) {
            this.support = support;
        }

        abstract double weight(double x);
    }

    /** {@code 32 - 8 - 2}: 8 bits of result and 2 of headroom for the negative lobes' overshoot. */
    private static final int PRECISION_BITS = 22;

    private PilResize() {
    }

    /** {@code pil_image.resize((width, height), resample=filter)}. */
    public static RgbImage resize(RgbImage src, int width, int height, Filter filter) {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("target size must be positive, got " + width + "x" + height);
        }
        RgbImage img = src;
        if (width != src.width()) {
            img = horizontal(img, width, Coefficients.of(src.width(), width, filter));
        }
        if (height != src.height()) {
            img = vertical(img, height, Coefficients.of(src.height(), height, filter));
        }
        return img == src ? RgbImage.wrap(src.width(), src.height(), src.toByteArray()) : img;
    }

    /**
     * One axis' filter taps: output {@code i} reads the {@code count[i]} inputs from {@code first[i]} with the
     * fixed-point weights {@code k[i * ksize ...]} ({@code precompute_coeffs} and {@code normalize_coeffs_8bpc}).
     */
    private record Coefficients(int ksize, int[] first, int[] count, int[] k) {
        static Coefficients of(int inSize, int outSize, Filter filter) {
            double scale = (double) inSize / outSize;
            double filterScale = Math.max(scale, 1.0);
            double support = filter.support * filterScale;
            int ksize = (int) Math.ceil(support) * 2 + 1;
            int[] first = new int[outSize];
            int[] count = new int[outSize];
            int[] k = new int[outSize * ksize];
            double[] w = new double[ksize];
            double ss = 1.0 / filterScale;
            for (int xx = 0; xx < outSize; xx++) {
                double center = (xx + 0.5) * scale;
                // (int) truncates toward zero like C's cast; a negative start is clamped just after
                int xmin = Math.max((int) (center - support + 0.5), 0);
                int xmax = Math.min((int) (center + support + 0.5), inSize) - xmin;
                double ww = 0.0;
                for (int x = 0; x < xmax; x++) {
                    w[x] = filter.weight((x + xmin - center + 0.5) * ss);
                    ww += w[x];
                }
                for (int x = 0; x < xmax; x++) {
                    double v = ww != 0.0 ? w[x] / ww : w[x];
                    // Pillow rounds half away from zero here, not to even
                    k[xx * ksize + x] = v < 0 ? (int) (-0.5 + v * (1 << PRECISION_BITS))
                            : (int) (0.5 + v * (1 << PRECISION_BITS));
                }
                first[xx] = xmin;
                count[xx] = xmax;
            }
            return new Coefficients(ksize, first, count, k);
        }
    }

    private static RgbImage horizontal(RgbImage src, int outW, Coefficients c) {
        int inW = src.width();
        int h = src.height();
        byte[] in = src.buffer();
        byte[] out = new byte[outW * h * 3];
        for (int y = 0; y < h; y++) {
            int inRow = y * inW * 3;
            int outRow = y * outW * 3;
            for (int xx = 0; xx < outW; xx++) {
                int kOff = xx * c.ksize;
                int p = inRow + c.first[xx] * 3;
                int s0 = 1 << (PRECISION_BITS - 1);
                int s1 = s0;
                int s2 = s0;
                for (int x = 0; x < c.count[xx]; x++, p += 3) {
                    int kv = c.k[kOff + x];
                    s0 += (in[p] & 0xFF) * kv;
                    s1 += (in[p + 1] & 0xFF) * kv;
                    s2 += (in[p + 2] & 0xFF) * kv;
                }
                int o = outRow + xx * 3;
                out[o] = clip8(s0);
                out[o + 1] = clip8(s1);
                out[o + 2] = clip8(s2);
            }
        }
        return RgbImage.wrap(outW, h, out);
    }

    private static RgbImage vertical(RgbImage src, int outH, Coefficients c) {
        int w = src.width();
        int rowLen = w * 3;
        byte[] in = src.buffer();
        byte[] out = new byte[outH * rowLen];
        int[] acc = new int[rowLen];
        for (int yy = 0; yy < outH; yy++) {
            Arrays.fill(acc, 1 << (PRECISION_BITS - 1));
            int kOff = yy * c.ksize;
            for (int y = 0; y < c.count[yy]; y++) {
                int kv = c.k[kOff + y];
                int p = (c.first[yy] + y) * rowLen;
                for (int i = 0; i < rowLen; i++) {
                    acc[i] += (in[p + i] & 0xFF) * kv;
                }
            }
            int o = yy * rowLen;
            for (int i = 0; i < rowLen; i++) {
                out[o + i] = clip8(acc[i]);
            }
        }
        return RgbImage.wrap(w, outH, out);
    }

    private static byte clip8(int acc) {
        int v = acc >> PRECISION_BITS;
        return (byte) (v < 0 ? 0 : Math.min(v, 255));
    }
}
