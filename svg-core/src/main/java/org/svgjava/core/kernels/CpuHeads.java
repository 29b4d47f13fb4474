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

    /** Token row by token row: one sequential read of the projection, 3H runs written. */
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
     * dx (token-major) from dq, dk, dv (head-major); through the norms when on. Work goes head block by head block
     * (one part of one head of one sample: T rows of dh, contiguous in the head-major gradient), so each task reads
     * one sequential run and writes one strided one; walking token rows instead touched 3H runs at once. The
     * parameter gradients are summed per head block (float over {@link CpuNorms#ROW_BLOCK} rows, then double)
     * and the blocks added in order. grads: dqGamma, dqBeta, dkGamma, dkBeta, each may be null.
     */
    static void splitBackward(Buf[] dParts, Buf x, Layout l, Norms n, Buf stats, Buf dx, Buf[] grads) {
        int dh = l.dh();
        int w = l.width();
        int heads = l.heads();
        int tokens = l.tokens();
        int units = l.batch() * 3 * heads;
        double[] partials = n.on() ? Scratch.partials(units * 2 * dh) : null;
        Parallel.forEach(units, (long) tokens * dh * 2, (c, u0, u1) -> {
            Scratch s = Scratch.get();
            float[] block = s.floats(0, tokens * dh);
            float[] a = s.floats(1, dh);
            float[] g = s.floats(2, dh);
            float[] t = s.floats(3, dh);
            float[] dGamma = s.floats(4, dh);
            float[] dBeta = s.floats(5, dh);
            for (int u = u0; u < u1; u++) {
                int b = u / (3 * heads);
                int part = u / heads % 3;
                int h = u % heads;
                long headRow0 = ((long) b * heads + h) * tokens;
                dParts[part].get(headRow0 * dh, block, tokens * dh);
                long token0 = (long) b * tokens * w + (long) (part * heads + h) * dh;
                if (part == 2 || !n.on()) {
                    for (int r = 0; r < tokens; r++) {
                        dx.f.put((int) (token0 + (long) r * w), block, r * dh, dh);
                    }
                    continue;
                }
                float[] gam = s.floats(6, dh);
                (part == 0 ? n.qGamma() : n.kGamma()).get(0, gam, dh);
                java.util.Arrays.fill(dGamma, 0, dh, 0f);
                java.util.Arrays.fill(dBeta, 0, dh, 0f);
                int pOff = u * 2 * dh;
                for (int r = 0; r < tokens; r++) {
                    // copies first: C2 vectorises loops whose arrays are all indexed alike
                    System.arraycopy(block, r * dh, g, 0, dh);
                    x.f.get((int) (token0 + (long) r * w), a, 0, dh);
                    float mu = (float) stats.get((2L * part) * l.headRows() + headRow0 + r);
                    float rs = (float) stats.get((2L * part + 1) * l.headRows() + headRow0 + r);
                    for (int i = 0; i < dh; i++) {
                        a[i] = (a[i] - mu) * rs;
                        t[i] = g[i] * gam[i];
                        dGamma[i] += g[i] * a[i];
                        dBeta[i] += g[i];
                    }
                    CpuNorms.rowBackward(t, a, rs, dh);
                    dx.f.put((int) (token0 + (long) r * w), a, 0, dh);
                    if (r % CpuNorms.ROW_BLOCK == CpuNorms.ROW_BLOCK - 1 || r == tokens - 1) {
                        FastMath.flush(dGamma, partials, pOff, dh);
                        FastMath.flush(dBeta, partials, pOff + dh, dh);
                    }
                }
            }
        });
        if (partials == null) {
            return;
        }
        for (int p = 0; p < 4; p++) {
            Buf target = grads[p];
            if (target == null) {
                continue;
            }
            int part = p / 2;
            int which = p % 2;
            for (int i = 0; i < dh; i++) {
                double v = 0;
                for (int u = 0; u < units; u++) {
                    if (u / heads % 3 == part) {
                        v += partials[(u * 2 + which) * dh + i];
                    }
                }
                target.put(i, target.get(i) + v);
            }
        }
    }

    private static float[] load(Buf b, Scratch s, int slot, int n) {
        float[] a = s.floats(slot, n);
        b.get(0, a, n);
        return a;
    }
}
