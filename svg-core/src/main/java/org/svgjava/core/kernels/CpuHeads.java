package org.svgjava.core.kernels;

import java.nio.FloatBuffer;

/**
 * The fused qkv projection {@code [B, T, 3, H, dh]} to head-major q, k, v {@code [B, H, T, dh]} and back, on FLOAT
 * arrays, with QK-norm (LayerNorm of every q and k head vector) done on the way: one pass over the projection
 * instead of a layout copy followed by two LayerNorm passes, and the same in the backward pass.
 */
final class CpuHeads {
    /** The sizes of one call; rows of the statistics are head-major: {@code (b * H + h) * T + t}. */
    record Layout(int batch, int tokens, int heads, int dh) {
        int width() {
            return 3 * heads * dh;
        }

        int headRows() {
            return batch * heads * tokens;
        }

        long headRow(int token, int h) {
            int b = token / tokens;
            return ((long) b * heads + h) * tokens + token % tokens;
        }
    }

    /** QK-norm parameters; null arrays mean no norm (then only the layout changes). */
    record Norms(Buf qGamma, Buf qBeta, Buf kGamma, Buf kBeta, double eps) {
        boolean on() {
            return qGamma != null;
        }
    }

    private CpuHeads() {
    }

    static void split(Buf x, Layout l, Norms n, Buf[] parts, Buf stats) {
        int dh = l.dh();
        int w = l.width();
        Parallel.forEach(l.batch() * l.tokens(), w, (c, r0, r1) -> {
            Scratch s = Scratch.get();
            float[] row = s.floats(0, w);
            float[] a = s.floats(1, dh);
            float[][] gamma = n.on() ? new float[][] {load(n.qGamma(), s, 2, dh), load(n.kGamma(), s, 3, dh)} : null;
            float[][] beta = n.on() ? new float[][] {load(n.qBeta(), s, 4, dh), load(n.kBeta(), s, 5, dh)} : null;
            for (int r = r0; r < r1; r++) {
                x.get((long) r * w, row, w);
                for (int part = 0; part < 3; part++) {
                    FloatBuffer dst = parts[part].f;
                    for (int h = 0; h < l.heads(); h++) {
                        int from = (part * l.heads() + h) * dh;
                        long headRow = l.headRow(r, h);
                        if (part == 2 || !n.on()) {
                            dst.put((int) (headRow * dh), row, from, dh);
                            continue;
                        }
                        // a copy first: C2 vectorises loops whose arrays are all indexed alike
                        System.arraycopy(row, from, a, 0, dh);
                        double mu = FastMath.sum(a, dh) / dh;
                        float fm = (float) mu;
                        double rs = 1 / Math.sqrt(FastMath.sumSquaredDeviation(a, dh, fm) / dh + n.eps());
                        float fr = (float) rs;
                        float[] g = gamma[part];
                        float[] bt = beta[part];
                        for (int i = 0; i < dh; i++) {
                            a[i] = (a[i] - fm) * fr * g[i] + bt[i];
                        }
                        dst.put((int) (headRow * dh), a, 0, dh);
                        stats.put((2L * part) * l.headRows() + headRow, mu);
                        stats.put((2L * part + 1) * l.headRows() + headRow, rs);
                    }
                }
            }
        });
    }

    /**
     * dx (token-major) from dq, dk, dv (head-major); through the norms when on, with the four parameter
     * gradients summed per chunk (float over {@link CpuNorms#ROW_BLOCK} tokens, then double) and the chunks added
     * in order. grads: dqGamma, dqBeta, dkGamma, dkBeta, each may be null.
     */
    static void splitBackward(Buf[] dParts, Buf x, Layout l, Norms n, Buf stats, Buf dx, Buf[] grads) {
        int dh = l.dh();
        int w = l.width();
        int rows = l.batch() * l.tokens();
        int chunks = Parallel.chunks(rows, 2L * w);
        double[] partials = n.on() ? Scratch.partials(chunks * 4 * dh) : null;
        Parallel.run(chunks, rows, (c, r0, r1) -> {
            Scratch s = Scratch.get();
            float[] xrow = s.floats(0, w);
            float[] drow = s.floats(1, w);
            float[] a = s.floats(2, dh);
            float[] g = s.floats(3, dh);
            float[] t = s.floats(4, dh);
            float[][] gamma = n.on() ? new float[][] {load(n.qGamma(), s, 5, dh), load(n.kGamma(), s, 6, dh)} : null;
            // dqGamma, dqBeta, dkGamma, dkBeta sums of this chunk; separate arrays so every loop indexes alike
            float[][] sums = n.on() ? new float[4][dh] : null;
            for (int r = r0; r < r1; r++) {
                if (n.on()) {
                    x.get((long) r * w, xrow, w);
                }
                for (int part = 0; part < 3; part++) {
                    FloatBuffer src = dParts[part].f;
                    for (int h = 0; h < l.heads(); h++) {
                        int at = (part * l.heads() + h) * dh;
                        long headRow = l.headRow(r, h);
                        if (part == 2 || !n.on()) {
                            src.get((int) (headRow * dh), drow, at, dh);
                            continue;
                        }
                        src.get((int) (headRow * dh), g, 0, dh);
                        System.arraycopy(xrow, at, a, 0, dh);
                        float mu = (float) stats.get((2L * part) * l.headRows() + headRow);
                        float rs = (float) stats.get((2L * part + 1) * l.headRows() + headRow);
                        float[] gam = gamma[part];
                        float[] dGamma = sums[2 * part];
                        float[] dBeta = sums[2 * part + 1];
                        for (int i = 0; i < dh; i++) {
                            a[i] = (a[i] - mu) * rs;
                            t[i] = g[i] * gam[i];
                            dGamma[i] += g[i] * a[i];
                            dBeta[i] += g[i];
                        }
                        float c1 = (float) (FastMath.sum(t, dh) / dh);
                        float c2 = (float) (FastMath.dot(t, a, dh) / dh);
                        for (int i = 0; i < dh; i++) {
                            a[i] = rs * (t[i] - c1 - a[i] * c2);
                        }
                        System.arraycopy(a, 0, drow, at, dh);
                    }
                }
                dx.put((long) r * w, drow, w);
                if (n.on() && ((r - r0) % CpuNorms.ROW_BLOCK == CpuNorms.ROW_BLOCK - 1 || r == r1 - 1)) {
                    for (int p = 0; p < 4; p++) {
                        FastMath.flush(sums[p], partials, (c * 4 + p) * dh, dh);
                    }
                }
            }
        });
        if (partials != null) {
            for (int p = 0; p < 4; p++) {
                if (grads[p] == null) {
                    continue;
                }
                for (int i = 0; i < dh; i++) {
                    double v = 0;
                    for (int c = 0; c < chunks; c++) {
                        v += partials[c * 4 * dh + p * dh + i];
                    }
                    grads[p].put(i, grads[p].get(i) + v);
                }
            }
        }
    }

    private static float[] load(Buf b, Scratch s, int slot, int n) {
        float[] a = s.floats(slot, n);
        b.get(0, a, n);
        return a;
    }
}
