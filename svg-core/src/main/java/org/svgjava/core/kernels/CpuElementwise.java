package org.svgjava.core.kernels;

/**
 * adaLN modulation, gated residuals and rotary embeddings on dense token rows. Per-sample parameters
 * ({@code [B, D]}) may be column blocks of a wider matrix: they are addressed with their own row stride.
 */
final class CpuElementwise {
    private static final int MIN_COLUMN_BLOCK = 64;
    private static final int THREADS = Runtime.getRuntime().availableProcessors();

    private CpuElementwise() {
    }

    /** A per-sample parameter {@code [B, D]}: row b starts at element {@code b * stride}. */
    record Param(Buf buf, long stride) {
    }

    // ---------------- modulate ----------------

    /** sh = shift[b] (skipped when shift is null), sc = 1 + scale[b]. */
    static void loadModulation(Param shift, Param scale, int b, float[] sh, float[] sc, int d) {
        if (shift != null) {
            shift.buf().get(b * shift.stride(), sh, d);
        }
        scale.buf().get(b * scale.stride(), sc, d);
        for (int i = 0; i < d; i++) {
            sc[i] += 1f;
        }
    }

    /** y = x (1 + scale[b]) + shift[b] over x {@code [B*T, D]}. */
    static void modulate(Buf x, Param shift, Param scale, Buf y, int batch, int tokens, int d) {
        int rows = batch * tokens;
        Parallel.forEach(rows, d, (c, r0, r1) -> {
            Scratch s = Scratch.get();
            if (x.f != null) {
                float[] a = s.floats(0, d);
                float[] sh = s.floats(1, d);
                float[] sc = s.floats(2, d);
                int loaded = -1;
                for (int r = r0; r < r1; r++) {
                    int b = r / tokens;
                    if (b != loaded) {
                        loadModulation(shift, scale, b, sh, sc, d);
                        loaded = b;
                    }
                    x.get((long) r * d, a, d);
                    for (int i = 0; i < d; i++) {
                        a[i] = a[i] * sc[i] + sh[i];
                    }
                    y.put((long) r * d, a, d);
                }
            } else {
                double[] a = s.doubles(0, d);
                double[] sh = s.doubles(1, d);
                double[] sc = s.doubles(2, d);
                int loaded = -1;
                for (int r = r0; r < r1; r++) {
                    int b = r / tokens;
                    if (b != loaded) {
                        shift.buf().get(b * shift.stride(), sh, d);
                        scale.buf().get(b * scale.stride(), sc, d);
                        loaded = b;
                    }
                    x.get((long) r * d, a, d);
                    for (int i = 0; i < d; i++) {
                        a[i] = a[i] * (1 + sc[i]) + sh[i];
                    }
                    y.put((long) r * d, a, d);
                }
            }
        });
    }

    /** dx = dy (1 + scale[b]); dshift[b] = sum_t dy; dscale[b] = sum_t dy x (both overwritten, may be null). */
    static void modulateBackward(Buf dy, Buf x, Param scale, Buf dx, Param dshift, Param dscale, int batch,
                                 int tokens, int d) {
        perSampleColumns(batch, tokens, d, (b, j0, w, s) -> {
            long first = (long) b * tokens * d + j0;
            double[] sumDy = s.doubles(0, w);
            double[] sumDyX = s.doubles(1, w);
            java.util.Arrays.fill(sumDy, 0, w, 0);
            java.util.Arrays.fill(sumDyX, 0, w, 0);
            if (x.f != null) {
                float[] g = s.floats(0, w);
                float[] a = s.floats(1, w);
                float[] sc = s.floats(2, w);
                float[] blockDy = s.floats(3, w);
                float[] blockDyX = s.floats(4, w);
                java.util.Arrays.fill(blockDy, 0, w, 0f);
                java.util.Arrays.fill(blockDyX, 0, w, 0f);
                scale.buf().get(b * scale.stride() + j0, sc, w);
                for (int i = 0; i < w; i++) {
                    sc[i] += 1f;
                }
                for (int t = 0; t < tokens; t++) {
                    long at = first + (long) t * d;
                    dy.get(at, g, w);
                    x.get(at, a, w);
                    for (int i = 0; i < w; i++) {
                        blockDy[i] += g[i];
                        blockDyX[i] += g[i] * a[i];
                    }
                    if (t % CpuNorms.ROW_BLOCK == CpuNorms.ROW_BLOCK - 1 || t == tokens - 1) {
                        FastMath.flush(blockDy, sumDy, 0, w);
                        FastMath.flush(blockDyX, sumDyX, 0, w);
                    }
                    for (int i = 0; i < w; i++) {
                        g[i] *= sc[i];
                    }
                    dx.put(at, g, w);
                }
            } else {
                double[] g = s.doubles(2, w);
                double[] a = s.doubles(3, w);
                double[] sc = s.doubles(4, w);
                scale.buf().get(b * scale.stride() + j0, sc, w);
                for (int t = 0; t < tokens; t++) {
                    long at = first + (long) t * d;
                    dy.get(at, g, w);
                    x.get(at, a, w);
                    for (int i = 0; i < w; i++) {
                        sumDy[i] += g[i];
                        sumDyX[i] += g[i] * a[i];
                        g[i] *= 1 + sc[i];
                    }
                    dx.put(at, g, w);
                }
            }
            store(dshift, b, j0, sumDy, w);
            store(dscale, b, j0, sumDyX, w);
        });
    }

    // ---------------- gated residual ----------------

    /** out = x + gate[b] h. */
    static void gatedResidual(Buf x, Buf h, Param gate, Buf out, int batch, int tokens, int d) {
        int rows = batch * tokens;
        Parallel.forEach(rows, d, (c, r0, r1) -> {
            Scratch s = Scratch.get();
            if (x.f != null) {
                float[] a = s.floats(0, d);
                float[] v = s.floats(1, d);
                float[] g = s.floats(2, d);
                int loaded = -1;
                for (int r = r0; r < r1; r++) {
                    int b = r / tokens;
                    if (b != loaded) {
                        gate.buf().get(b * gate.stride(), g, d);
                        loaded = b;
                    }
                    x.get((long) r * d, a, d);
                    h.get((long) r * d, v, d);
                    for (int i = 0; i < d; i++) {
                        a[i] += g[i] * v[i];
                    }
                    out.put((long) r * d, a, d);
                }
            } else {
                double[] a = s.doubles(0, d);
                double[] v = s.doubles(1, d);
                double[] g = s.doubles(2, d);
                int loaded = -1;
                for (int r = r0; r < r1; r++) {
                    int b = r / tokens;
                    if (b != loaded) {
                        gate.buf().get(b * gate.stride(), g, d);
                        loaded = b;
                    }
                    x.get((long) r * d, a, d);
                    h.get((long) r * d, v, d);
                    for (int i = 0; i < d; i++) {
                        a[i] += g[i] * v[i];
                    }
                    out.put((long) r * d, a, d);
                }
            }
        });
    }

    /** dh = dout gate[b]; dgate[b] = sum_t dout h (overwritten, may be null). */
    static void gatedResidualBackward(Buf dout, Buf h, Param gate, Buf dh, Param dgate, int batch, int tokens, int d) {
        perSampleColumns(batch, tokens, d, (b, j0, w, s) -> {
            long first = (long) b * tokens * d + j0;
            double[] sum = s.doubles(0, w);
            java.util.Arrays.fill(sum, 0, w, 0);
            if (h.f != null) {
                float[] g = s.floats(0, w);
                float[] v = s.floats(1, w);
                float[] gt = s.floats(2, w);
                float[] block = s.floats(3, w);
                java.util.Arrays.fill(block, 0, w, 0f);
                gate.buf().get(b * gate.stride() + j0, gt, w);
                for (int t = 0; t < tokens; t++) {
                    long at = first + (long) t * d;
                    dout.get(at, g, w);
                    h.get(at, v, w);
                    for (int i = 0; i < w; i++) {
                        block[i] += g[i] * v[i];
                    }
                    if (t % CpuNorms.ROW_BLOCK == CpuNorms.ROW_BLOCK - 1 || t == tokens - 1) {
                        FastMath.flush(block, sum, 0, w);
                    }
                    for (int i = 0; i < w; i++) {
                        g[i] *= gt[i];
                    }
                    dh.put(at, g, w);
                }
            } else {
                double[] g = s.doubles(1, w);
                double[] v = s.doubles(2, w);
                double[] gt = s.doubles(3, w);
                gate.buf().get(b * gate.stride() + j0, gt, w);
                for (int t = 0; t < tokens; t++) {
                    long at = first + (long) t * d;
                    dout.get(at, g, w);
                    h.get(at, v, w);
                    for (int i = 0; i < w; i++) {
                        sum[i] += g[i] * v[i];
                        g[i] *= gt[i];
                    }
                    dh.put(at, g, w);
                }
            }
            store(dgate, b, j0, sum, w);
        });
    }

    @FunctionalInterface
    private interface ColumnBody {
        /** Sample b, columns {@code [j0, j0 + w)}. */
        void run(int b, int j0, int w, Scratch s);
    }

    /**
     * Runs the body once per (sample, column block). Each unit owns its columns of its sample's sums, so the
     * sums over tokens need no merging; columns are split only as far as needed to occupy every thread.
     */
    private static void perSampleColumns(int batch, int tokens, int d, ColumnBody body) {
        int wanted = Parallel.chunks(batch, (long) tokens * d) == 1 ? 1 : 4 * THREADS;
        int splits = Math.max(1, Math.min((wanted + batch - 1) / batch, d / MIN_COLUMN_BLOCK));
        int width = (d + splits - 1) / splits;
        int units = batch * splits;
        Parallel.forEach(units, (long) tokens * width, (c, u0, u1) -> {
            Scratch s = Scratch.get();
            for (int u = u0; u < u1; u++) {
                int j0 = (u % splits) * width;
                body.run(u / splits, j0, Math.min(width, d - j0), s);
            }
        });
    }

    private static void store(Param p, int b, int j0, double[] v, int w) {
        if (p == null) {
            return;
        }
        long at = b * p.stride() + j0;
        for (int i = 0; i < w; i++) {
            p.buf().put(at + i, v[i]);
        }
    }

    // ---------------- RoPE ----------------

    /**
     * Rotate-half RoPE over x {@code [BH, T, dh]}: for tokens t >= prefix, with c, s the rows t - prefix of cos
     * and sin (s negated when inverse): y1 = x1 c1 - x2 s1, y2 = x2 c2 + x1 s2 (halves of dh).
     */
    static void rope(Buf x, Buf sin, Buf cos, int prefix, boolean inverse, Buf y, int heads, int tokens, int dh) {
        int half = dh / 2;
        int rows = heads * tokens;
        Parallel.forEach(rows, 2L * dh, (c, r0, r1) -> {
            Scratch s = Scratch.get();
            if (x.f != null) {
                float[] a = s.floats(0, dh);
                float[] o = s.floats(1, dh);
                float[] cs = s.floats(2, dh);
                float[] sn = s.floats(3, dh);
                float sign = inverse ? -1f : 1f;
                for (int r = r0; r < r1; r++) {
                    int t = r % tokens;
                    x.get((long) r * dh, a, dh);
                    if (t < prefix) {
                        y.put((long) r * dh, a, dh);
                        continue;
                    }
                    cos.get((long) (t - prefix) * dh, cs, dh);
                    sin.get((long) (t - prefix) * dh, sn, dh);
                    for (int i = 0; i < half; i++) {
                        o[i] = a[i] * cs[i] - sign * a[i + half] * sn[i];
                        o[i + half] = a[i + half] * cs[i + half] + sign * a[i] * sn[i + half];
                    }
                    y.put((long) r * dh, o, dh);
                }
            } else {
                double[] a = s.doubles(0, dh);
                double[] o = s.doubles(1, dh);
                double[] cs = s.doubles(2, dh);
                double[] sn = s.doubles(3, dh);
                double sign = inverse ? -1 : 1;
                for (int r = r0; r < r1; r++) {
                    int t = r % tokens;
                    x.get((long) r * dh, a, dh);
                    if (t < prefix) {
                        y.put((long) r * dh, a, dh);
                        continue;
                    }
                    cos.get((long) (t - prefix) * dh, cs, dh);
                    sin.get((long) (t - prefix) * dh, sn, dh);
                    for (int i = 0; i < half; i++) {
                        o[i] = a[i] * cs[i] - sign * a[i + half] * sn[i];
                        o[i + half] = a[i + half] * cs[i + half] + sign * a[i] * sn[i + half];
                    }
                    y.put((long) r * dh, o, dh);
                }
            }
        });
    }

    // ---------------- losses and buffers ----------------

    /** Elements per block of the loss and fill loops. */
    private static final int BLOCK = 4096;

    /**
     * {@code dOut = scale (out - target)}, returning {@code sum (out - target)^2}: per-block sums in double, added
     * in block order (the partition depends on the length only).
     */
    static double squaredError(Buf out, Buf target, float scale, Buf dOut, int n) {
        int blocks = (n + BLOCK - 1) / BLOCK;
        double[] partials = Scratch.partials(blocks);
        Parallel.forBlocks(n, BLOCK, (b, from, len) -> {
            Scratch s = Scratch.get();
            float[] a = s.floats(0, BLOCK);
            float[] t = s.floats(1, BLOCK);
            out.get(from, a, len);
            target.get(from, t, len);
            for (int i = 0; i < len; i++) {
                a[i] -= t[i];
            }
            partials[b] = FastMath.dot(a, a, len);
            for (int i = 0; i < len; i++) {
                a[i] *= scale;
            }
            dOut.put(from, a, len);
        });
        double total = 0;
        for (int b = 0; b < blocks; b++) {
            total += partials[b];
        }
        return total;
    }

    /**
     * {@link #squaredError} over {@code [rows, cols]} matrices whose rows lie {@code ld} floats apart (column
     * blocks of wider ones): row ranges over the threads, each range's sum added in range order.
     */
    static double squaredErrorRows(Buf out, long outLd, Buf target, long targetLd, float scale, Buf dOut,
                                   long dOutLd, int rows, int cols) {
        int chunks = Parallel.chunks(rows, cols);
        double[] partials = Scratch.partials(chunks);
        Parallel.run(chunks, rows, (c, r0, r1) -> {
            Scratch s = Scratch.get();
            float[] a = s.floats(0, cols);
            float[] t = s.floats(1, cols);
            double sum = 0;
            for (int r = r0; r < r1; r++) {
                out.get(r * outLd, a, cols);
                target.get(r * targetLd, t, cols);
                for (int i = 0; i < cols; i++) {
                    a[i] -= t[i];
                }
                sum += FastMath.dot(a, a, cols);
                for (int i = 0; i < cols; i++) {
                    a[i] *= scale;
                }
                dOut.put(r * dOutLd, a, cols);
            }
            partials[c] = sum;
        });
        double total = 0;
        for (int c = 0; c < chunks; c++) {
            total += partials[c];
        }
        return total;
    }

    /** Zeroes the first n floats: blocks over the threads, each written from a zeroed array. */
    static void zero(Buf a, int n) {
        Parallel.forBlocks(n, BLOCK, (b, from, len) -> {
            float[] zeros = Scratch.get().floats(0, BLOCK);
            java.util.Arrays.fill(zeros, 0, len, 0f);
            a.put(from, zeros, len);
        });
    }

    /** {@code acc[i] += x[i]} for the first n floats: blocks over the threads. */
    static void addTo(Buf acc, Buf x, int n) {
        Parallel.forBlocks(n, BLOCK, (b, from, len) -> {
            float[] a = Scratch.get().floats(0, BLOCK);
            float[] v = Scratch.get().floats(1, BLOCK);
            acc.get(from, a, len);
            x.get(from, v, len);
            for (int i = 0; i < len; i++) {
                a[i] += v[i];
            }
            acc.put(from, a, len);
        });
    }

    /** {@code dst[j, i, :] = src[i, j, :]} for src {@code [a, b, c]}: one copy of c elements per (i, j). */
    static void swapLeadingAxes(Buf src, Buf dst, int a, int b, int c) {
        Parallel.forEach(a * b, c, (chunk, p0, p1) -> {
            float[] row = Scratch.get().floats(0, c);
            for (int p = p0; p < p1; p++) {
                int i = p / b;
                int j = p % b;
                src.get((long) p * c, row, c);
                dst.put(((long) j * a + i) * c, row, c);
            }
        });
    }
}
