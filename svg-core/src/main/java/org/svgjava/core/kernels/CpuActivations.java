package org.svgjava.core.kernels;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * GELU, SiLU and softmax on dense arrays (checked by {@link CpuKernels}). Element-wise functions walk the flat
 * memory in blocks of {@link #BLOCK} elements copied into per-thread arrays, so the loops run over plain Java
 * arrays that C2 vectorises; softmax works on groups of whole rows. FLOAT uses {@link FastMath#exp}; DOUBLE uses
 * {@link Math#exp}, {@link Math#tanh} and Cody's erfc, exact to rounding.
 */
final class CpuActivations {
    /** Elements per block: a few blocks of floats stay in L1 alongside their work arrays. */
    static final int BLOCK = 1024;
    /** First of the three {@link Scratch} slots {@link #siluInPlace} uses; callers keep their own data below it. */
    static final int SILU_SLOT = Scratch.SLOTS - 3;
    /** sqrt(2/pi), the tanh-GELU constant. */
    static final double GELU_C = 0.7978845608028654;
    static final double GELU_A = 0.044715;
    private static final double INV_SQRT2 = 0.7071067811865476;
    private static final double INV_SQRT_2PI = 0.3989422804014327;

    private CpuActivations() {
    }

    private enum Fn { GELU_TANH, GELU_ERF, SILU }

    private static Fn fn(boolean gelu, boolean tanh) {
        return !gelu ? Fn.SILU : tanh ? Fn.GELU_TANH : Fn.GELU_ERF;
    }

    static void gelu(INDArray x, INDArray y, boolean tanh) {
        forward(fn(true, tanh), x, y);
    }

    static void geluBackward(INDArray x, INDArray dy, INDArray dx, boolean tanh) {
        backward(fn(true, tanh), x, dy, dx);
    }

    /**
     * FLOAT {@link #geluBackward} that also adds dx's column sums into {@code columnSums}, rows as the blocks,
     * summed as {@link CpuLinear#columnSums} sums a matrix's rows, each while it is in cache. That pass of its own
     * over a DiT-S MLP's hidden gradient took a millisecond of a training step.
     */
    static void geluBackward(INDArray x, INDArray dy, INDArray dx, boolean tanh, INDArray columnSums) {
        Fn f = fn(true, tanh);
        int cols = (int) x.size(-1);
        Buf xb = Buf.of(x);
        Buf gb = Buf.of(dy);
        Buf dxb = Buf.of(dx);
        CpuLinear.columnSums((int) (x.length() / cols), cols,
                (r, s) -> backwardF(f, xb, gb, dxb, (long) r * cols, cols, s), columnSums);
    }

    /** {@code dx = dy f'(x)} for the len elements from {@code at}, in slots 0-4; returns dx's heap copy. */
    private static float[] backwardF(Fn f, Buf xb, Buf gb, Buf dxb, long at, int len, Scratch s) {
        float[] a = s.floats(0, len);
        float[] g = s.floats(1, len);
        xb.get(at, a, len);
        gb.get(at, g, len);
        derivativeF(f, a, s.floats(2, len), s.floats(3, len), s.floats(4, len), len);
        for (int i = 0; i < len; i++) {
            g[i] *= a[i];
        }
        dxb.put(at, g, len);
        return g;
    }

    static void silu(INDArray x, INDArray y) {
        forward(Fn.SILU, x, y);
    }

    /** SiLU of {@code a[0..n)} in place, for kernels that hold their data in heap arrays already. */
    static void siluInPlace(float[] a, int n) {
        Scratch s = Scratch.get();
        float[] block = s.floats(SILU_SLOT, BLOCK);
        float[] w = s.floats(SILU_SLOT + 1, BLOCK);
        float[] t = s.floats(SILU_SLOT + 2, BLOCK);
        for (int start = 0; start < n; start += BLOCK) {
            int len = Math.min(BLOCK, n - start);
            System.arraycopy(a, start, block, 0, len);
            forwardF(Fn.SILU, block, w, t, null, len);
            System.arraycopy(block, 0, a, start, len);
        }
    }

    static void siluBackward(INDArray x, INDArray dy, INDArray dx) {
        backward(Fn.SILU, x, dy, dx);
    }

    private static void forward(Fn f, INDArray x, INDArray y) {
        int n = (int) x.length();
        Buf xb = Buf.of(x);
        Buf yb = Buf.of(y);
        if (x.dataType() == DataType.FLOAT) {
            Parallel.forBlocks(n, BLOCK, (b, start, len) -> {
                Scratch s = Scratch.get();
                float[] a = s.floats(0, BLOCK);
                xb.get(start, a, len);
                forwardF(f, a, s.floats(1, BLOCK), s.floats(2, BLOCK), s.floats(3, BLOCK), len);
                yb.put(start, a, len);
            });
        } else {
            Parallel.forBlocks(n, BLOCK, (b, start, len) -> {
                double[] a = Scratch.get().doubles(0, BLOCK);
                xb.get(start, a, len);
                for (int i = 0; i < len; i++) {
                    a[i] = forwardD(f, a[i]);
                }
                yb.put(start, a, len);
            });
        }
    }

    private static void backward(Fn f, INDArray x, INDArray dy, INDArray dx) {
        int n = (int) x.length();
        Buf xb = Buf.of(x);
        Buf gb = Buf.of(dy);
        Buf dxb = Buf.of(dx);
        if (x.dataType() == DataType.FLOAT) {
            Parallel.forBlocks(n, BLOCK, (b, start, len) -> backwardF(f, xb, gb, dxb, start, len, Scratch.get()));
        } else {
            Parallel.forBlocks(n, BLOCK, (b, start, len) -> {
                Scratch s = Scratch.get();
                double[] a = s.doubles(0, BLOCK);
                double[] g = s.doubles(1, BLOCK);
                xb.get(start, a, len);
                gb.get(start, g, len);
                for (int i = 0; i < len; i++) {
                    g[i] *= derivativeD(f, a[i]);
                }
                dxb.put(start, g, len);
            });
        }
    }

    /** {@code a = f(a)}; w, t, u are work arrays. */
    private static void forwardF(Fn f, float[] a, float[] w, float[] t, float[] u, int n) {
        switch (f) {
            case GELU_TANH -> {
                // x * (1 + tanh(u)) / 2 == x * sigmoid(2u) == x / (1 + exp(-2u)): one exp, no cancellation
                float k0 = (float) (-2 * GELU_C);
                float k1 = (float) (-2 * GELU_C * GELU_A);
                for (int i = 0; i < n; i++) {
                    float v = a[i];
                    w[i] = v * (k0 + k1 * v * v);
                }
                FastMath.exp(w, t, n);
                for (int i = 0; i < n; i++) {
                    a[i] = a[i] / (1f + w[i]);
                }
            }
            case SILU -> {
                for (int i = 0; i < n; i++) {
                    w[i] = -a[i];
                }
                FastMath.exp(w, t, n);
                for (int i = 0; i < n; i++) {
                    a[i] = a[i] / (1f + w[i]);
                }
            }
            case GELU_ERF -> {
                // x * Phi(x) = (x + |x|)/2 - |x| erfc(|x|/sqrt2)/2: exact for both signs, erfc only of |x|
                float r2 = (float) INV_SQRT2;
                for (int i = 0; i < n; i++) {
                    w[i] = Math.abs(a[i]) * r2;
                }
                FastMath.erfcNonNegative(w, t, u, n);
                for (int i = 0; i < n; i++) {
                    float v = a[i];
                    float m = Math.abs(v);
                    a[i] = 0.5f * (v + m) - 0.5f * m * w[i];
                }
            }
            default -> throw new IllegalStateException(f.name());
        }
    }

    /** {@code a = f'(a)}; w, t, u are work arrays. */
    private static void derivativeF(Fn f, float[] a, float[] w, float[] t, float[] u, int n) {
        switch (f) {
            case GELU_TANH -> {
                float k0 = (float) (-2 * GELU_C);
                float k1 = (float) (-2 * GELU_C * GELU_A);
                float d0 = (float) (2 * GELU_C);
                float d1 = (float) (2 * GELU_C * 3 * GELU_A);
                for (int i = 0; i < n; i++) {
                    float v = a[i];
                    w[i] = v * (k0 + k1 * v * v);
                }
                FastMath.exp(w, t, n);
                // s = sigmoid(2u), s' = s (1 - s) = e s^2 with e = exp(-2u); d/dx x s = s + x e s^2 (2u)'
                for (int i = 0; i < n; i++) {
                    float v = a[i];
                    float e = w[i];
                    float s = 1f / (1f + e);
                    a[i] = s + v * (e * s) * s * (d0 + d1 * v * v);
                }
            }
            case SILU -> {
                for (int i = 0; i < n; i++) {
                    w[i] = -a[i];
                }
                FastMath.exp(w, t, n);
                for (int i = 0; i < n; i++) {
                    float v = a[i];
                    float e = w[i];
                    float s = 1f / (1f + e);
                    a[i] = s + v * (e * s) * s;
                }
            }
            case GELU_ERF -> {
                // Phi(x) + x phi(x); phi needs exp(-x^2/2), a second exp
                float r2 = (float) INV_SQRT2;
                for (int i = 0; i < n; i++) {
                    w[i] = Math.abs(a[i]) * r2;
                }
                FastMath.erfcNonNegative(w, t, u, n);
                float[] g = u;
                for (int i = 0; i < n; i++) {
                    g[i] = -0.5f * a[i] * a[i];
                }
                FastMath.exp(g, t, n);
                // Phi(x) = 1/2 + sign(x) (1 - erfc(|x|/sqrt2)) / 2, the sign as x / (|x| + tiny) (0 at x = 0, where
                // erfc = 1 anyway): a select on the sign would be scalar and mispredicted half the time
                float c = (float) INV_SQRT_2PI;
                for (int i = 0; i < n; i++) {
                    float v = a[i];
                    float sign = v / (Math.abs(v) + Float.MIN_NORMAL);
                    a[i] = 0.5f + 0.5f * sign * (1f - w[i]) + v * c * g[i];
                }
            }
            default -> throw new IllegalStateException(f.name());
        }
    }

    private static double forwardD(Fn f, double x) {
        return switch (f) {
            case GELU_TANH -> 0.5 * x * (1 + Math.tanh(GELU_C * (x + GELU_A * x * x * x)));
            case GELU_ERF -> x * 0.5 * FastMath.erfc(-x * INV_SQRT2);
            case SILU -> x / (1 + Math.exp(-x));
        };
    }

    private static double derivativeD(Fn f, double x) {
        switch (f) {
            case GELU_TANH -> {
                double th = Math.tanh(GELU_C * (x + GELU_A * x * x * x));
                return 0.5 * (1 + th) + 0.5 * x * (1 - th * th) * GELU_C * (1 + 3 * GELU_A * x * x);
            }
            case GELU_ERF -> {
                return 0.5 * FastMath.erfc(-x * INV_SQRT2) + x * INV_SQRT_2PI * Math.exp(-0.5 * x * x);
            }
            case SILU -> {
                double s = 1 / (1 + Math.exp(-x));
                return s * (1 + x * (1 - s));
            }
            default -> throw new IllegalStateException(f.name());
        }
    }

    // ---- softmax over rows ----

    static void softmax(INDArray x, INDArray y) {
        int cols = (int) x.size(-1);
        softmaxRows(Buf.of(x), Buf.of(y), cols == 0 ? 0 : (int) (x.length() / cols), cols, 1.0);
    }

    static void softmaxBackward(INDArray y, INDArray dy, INDArray dx) {
        int cols = (int) y.size(-1);
        softmaxBackwardRows(Buf.of(y), Buf.of(dy), Buf.of(dx), cols == 0 ? 0 : (int) (y.length() / cols), cols, 1.0);
    }

    /** {@code y = softmax(scale * x)} row by row, {@code scale > 0}; y may be x. */
    static void softmaxRows(Buf xb, Buf yb, int rows, int cols, double scale) {
        Parallel.forEach(rows, cols, (c, r0, r1) -> {
            if (xb.f != null) {
                softmaxRowsF(xb, yb, r0, r1, cols, (float) scale);
            } else {
                softmaxRowsD(xb, yb, r0, r1, cols, scale);
            }
        });
    }

    /** Softmax handles rows in groups of about this many elements (rows are contiguous). */
    private static final int ROW_GROUP = 1024;

    /**
     * Rows are processed in groups of about {@link #ROW_GROUP} elements: the exp runs over the whole group, because
     * C2's vector loops are unrolled to 64-128 floats and a 256-element row would spend much of its time in the
     * scalar pre- and post-loops (measured 1.5 vs 0.9 ns per exp).
     */
    static void softmaxRowsF(Buf xb, Buf yb, int r0, int r1, int cols, float scale) {
        int group = Math.max(1, ROW_GROUP / cols);
        Scratch s = Scratch.get();
        float[] a = s.floats(0, group * cols);
        float[] t = s.floats(1, group * cols);
        for (int g0 = r0; g0 < r1; g0 += group) {
            int rows = Math.min(group, r1 - g0);
            int len = rows * cols;
            long at = (long) g0 * cols;
            xb.get(at, a, len);
            for (int r = 0; r < rows; r++) {
                int off = r * cols;
                float max = FastMath.max(a, off, cols);
                // scale (x - max) rather than scale x - scale max: no rounding of large products
                for (int i = off; i < off + cols; i++) {
                    a[i] = (a[i] - max) * scale;
                }
            }
            FastMath.exp(a, t, len);
            for (int r = 0; r < rows; r++) {
                int off = r * cols;
                float inv = (float) (1.0 / FastMath.sum(a, off, cols));
                for (int i = off; i < off + cols; i++) {
                    a[i] *= inv;
                }
            }
            yb.put(at, a, len);
        }
    }

    private static void softmaxRowsD(Buf xb, Buf yb, int r0, int r1, int cols, double scale) {
        double[] a = Scratch.get().doubles(0, cols);
        for (int r = r0; r < r1; r++) {
            long at = (long) r * cols;
            xb.get(at, a, cols);
            double max = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < cols; i++) {
                max = Math.max(max, a[i]);
            }
            double sum = 0;
            for (int i = 0; i < cols; i++) {
                a[i] = Math.exp((a[i] - max) * scale);
                sum += a[i];
            }
            double inv = 1 / sum;
            for (int i = 0; i < cols; i++) {
                a[i] *= inv;
            }
            yb.put(at, a, cols);
        }
    }

    /** {@code dx = scale * y * (dy - sum(dy * y))} row by row; dx may be dy. */
    static void softmaxBackwardRows(Buf yb, Buf gb, Buf dxb, int rows, int cols, double scale) {
        Parallel.forEach(rows, cols, (c, r0, r1) -> {
            if (yb.f != null) {
                softmaxBackwardRowsF(yb, gb, dxb, r0, r1, cols, (float) scale);
                return;
            }
            Scratch s = Scratch.get();
            double[] p = s.doubles(0, cols);
            double[] g = s.doubles(1, cols);
            for (int r = r0; r < r1; r++) {
                long at = (long) r * cols;
                yb.get(at, p, cols);
                gb.get(at, g, cols);
                double dot = FastMath.dot(p, g, cols);
                for (int i = 0; i < cols; i++) {
                    g[i] = scale * p[i] * (g[i] - dot);
                }
                dxb.put(at, g, cols);
            }
        });
    }

    /** Rows {@code [r0, r1)} of {@link #softmaxBackwardRows} on the calling thread. */
    static void softmaxBackwardRowsF(Buf yb, Buf gb, Buf dxb, int r0, int r1, int cols, float scale) {
        Scratch s = Scratch.get();
        float[] p = s.floats(0, cols);
        float[] g = s.floats(1, cols);
        for (int r = r0; r < r1; r++) {
            long at = (long) r * cols;
            yb.get(at, p, cols);
            gb.get(at, g, cols);
            float dot = (float) FastMath.dot(p, g, cols);
            for (int i = 0; i < cols; i++) {
                g[i] = scale * p[i] * (g[i] - dot);
            }
            dxb.put(at, g, cols);
        }
    }
}
