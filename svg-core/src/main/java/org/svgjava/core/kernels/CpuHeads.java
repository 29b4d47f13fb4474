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
     * ({@link Backward#unit}), so each task reads one sequential run and writes one strided one; walking token
     * rows instead touched 3H runs at once. grads: dqGamma, dqBeta, dkGamma, dkBeta, each may be null.
     */
    static void splitBackward(Buf[] dParts, Buf x, Layout l, Norms n, Buf stats, Buf dx, Buf[] grads) {
        int heads = l.heads();
        Backward back = new Backward(x, l, n, stats, dx);
        Parallel.forEach(l.batch() * 3 * heads, (long) l.tokens() * l.dh() * 2, (c, u0, u1) -> {
            for (int u = u0; u < u1; u++) {
                int b = u / (3 * heads);
                int part = u / heads % 3;
                int h = u % heads;
                back.unit(b, part, h, dParts[part], ((long) b * heads + h) * l.tokens() * l.dh());
            }
        });
        back.finish(grads);
    }

    /**
     * The backward pass of one split, one head block (one part of one head of one sample: T rows of dh) at a
     * time, from whichever thread produced that block's gradient: {@link CpuAttention} hands each head's dq, dk,
     * dv over while they are in its cache. The parameter gradients are summed per head block (float over
     * {@link CpuNorms#ROW_BLOCK} rows, then double) and the blocks added in a fixed order by {@link #finish}, so
     * the result does not depend on which thread ran which block.
     */
    static final class Backward {
        /** Rows processed as one array. */
        private static final int GROUP = 16;
        private final Buf x;
        private final Layout l;
        private final Norms n;
        private final Buf stats;
        private final Buf dx;
        private final double[] partials;

        Backward(Buf x, Layout l, Norms n, Buf stats, Buf dx) {
            this.x = x;
            this.l = l;
            this.n = n;
            this.stats = stats;
            this.dx = dx;
            this.partials = n.on() ? Scratch.partials(l.batch() * 3 * l.heads() * 2 * l.dh()) : null;
        }

        /** Block (sample b, part 0/1/2 for q/k/v, head h) from its T x dh gradient in src at element {@code at}. */
        void unit(int b, int part, int h, Buf src, long at) {
            int dh = l.dh();
            int w = l.width();
            int heads = l.heads();
            int tokens = l.tokens();
            Scratch s = Scratch.get();
            float[] block = s.floats(0, tokens * dh);
            src.get(at, block, tokens * dh);
            long token0 = (long) b * tokens * w + (long) (part * heads + h) * dh;
            if (part == 2 || !n.on()) {
                for (int r = 0; r < tokens; r++) {
                    dx.f.put((int) (token0 + (long) r * w), block, r * dh, dh);
                }
                return;
            }
            int span = GROUP * dh;
            float[] xh = s.floats(1, span);
            float[] g = s.floats(2, span);
            float[] t = s.floats(3, span);
            float[] dGamma = s.floats(4, span);
            float[] dBeta = s.floats(5, span);
            float[] gam = s.floats(6, span);
            Buf gamma = part == 0 ? n.qGamma() : n.kGamma();
            for (int r = 0; r < GROUP; r++) {
                gamma.f.get(0, gam, r * dh, dh);
            }
            java.util.Arrays.fill(dGamma, 0, span, 0f);
            java.util.Arrays.fill(dBeta, 0, span, 0f);
            long headRow0 = ((long) b * heads + h) * tokens;
            long muAt = (2L * part) * l.headRows() + headRow0;
            long rsAt = muAt + l.headRows();
            int pOff = ((b * 3 + part) * heads + h) * 2 * dh;
            // GROUP rows at a time as one array where no per-row scalar enters (C2 vectorises a loop over 64
            // floats at a third of the speed per element), and with at most three stores per loop (four kept the
            // whole loop scalar: 1.1 against 0.24 ns per element)
            for (int r0 = 0; r0 < tokens; r0 += GROUP) {
                int rows = Math.min(GROUP, tokens - r0);
                int len = rows * dh;
                System.arraycopy(block, r0 * dh, g, 0, len);
                for (int r = 0; r < rows; r++) {
                    int o = r * dh;
                    x.f.get((int) (token0 + (long) (r0 + r) * w), xh, o, dh);
                    float mu = (float) stats.get(muAt + r0 + r);
                    float rs = (float) stats.get(rsAt + r0 + r);
                    for (int i = o; i < o + dh; i++) {
                        xh[i] = (xh[i] - mu) * rs;
                    }
                }
                for (int i = 0; i < len; i++) {
                    t[i] = g[i] * gam[i];
                    dGamma[i] += g[i] * xh[i];
                    dBeta[i] += g[i];
                }
                for (int r = 0; r < rows; r++) {
                    int o = r * dh;
                    CpuNorms.rowBackward(t, xh, o, (float) stats.get(rsAt + r0 + r), dh);
                    dx.f.put((int) (token0 + (long) (r0 + r) * w), xh, o, dh);
                }
                // each slot sums at most ROW_BLOCK rows in float before they go into the double partials
                if ((r0 / GROUP + 1) % CpuNorms.ROW_BLOCK == 0 || r0 + GROUP >= tokens) {
                    for (int r = 0; r < GROUP; r++) {
                        FastMath.flush(dGamma, r * dh, partials, pOff, dh);
                        FastMath.flush(dBeta, r * dh, partials, pOff + dh, dh);
                    }
                }
            }
        }

        /**
         * Adds the blocks' parameter-gradient sums, in block order, to dqGamma, dqBeta, dkGamma, dkBeta (each may
         * be null).
         */
        void finish(Buf[] grads) {
            if (partials == null) {
                return;
            }
            int dh = l.dh();
            int heads = l.heads();
            int units = l.batch() * 3 * heads;
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
    }

    private static float[] load(Buf b, Scratch s, int slot, int n) {
        float[] a = s.floats(slot, n);
        b.get(0, a, n);
        return a;
    }
}
