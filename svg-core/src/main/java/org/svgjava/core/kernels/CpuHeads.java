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
     * dx (token-major) from dq, dk, dv (head-major); through the norms when on. Token row by token row like
     * {@link #split}: the row of x is read and the row of dx written whole, and the 3H head runs are read from
     * 3H places that each move on by dh floats a token, streams the prefetcher follows. Walking head blocks instead
     * (T runs of dh floats, 4.6 KB apart in x and dx) took 3.7 against 2.5 ms for a DiT-S layer at batch 8.
     * grads: dqGamma, dqBeta, dkGamma, dkBeta, each may be null; each chunk of rows sums its rows' parameter
     * gradients (float over {@link CpuNorms#ROW_BLOCK} heads' rows, then double), added in chunk order.
     */
    static void splitBackward(Buf[] dParts, Buf x, Layout l, Norms n, Buf stats, Buf dx, Buf[] grads) {
        int dh = l.dh();
        int heads = l.heads();
        int w = l.width();
        int rows = l.batch() * l.tokens();
        int chunks = Parallel.chunks(rows, w);
        double[] partials = n.on() ? Scratch.partials(chunks * 4 * dh) : null;
        int flushEvery = Math.max(1, CpuNorms.ROW_BLOCK / heads);
        Parallel.run(chunks, rows, (c, r0, r1) -> {
            Scratch s = Scratch.get();
            float[] xRow = s.floats(0, w);
            float[] dRow = s.floats(1, w);
            float[] xh = s.floats(2, dh);
            float[] g = s.floats(3, dh);
            float[] t = s.floats(4, dh);
            float[][] gamma = n.on() ? new float[][] {load(n.qGamma(), s, 5, dh), load(n.kGamma(), s, 6, dh)} : null;
            float[][] dGamma = {s.floats(7, dh), s.floats(8, dh)};
            float[][] dBeta = {s.floats(9, dh), s.floats(10, dh)};
            for (int part = 0; part < 2; part++) {
                java.util.Arrays.fill(dGamma[part], 0, dh, 0f);
                java.util.Arrays.fill(dBeta[part], 0, dh, 0f);
            }
            for (int r = r0; r < r1; r++) {
                for (int part = 0; part < 3; part++) {
                    FloatBuffer src = dParts[part].f;
                    for (int h = 0; h < heads; h++) {
                        src.get((int) (l.headRow(r, h) * dh), dRow, (part * heads + h) * dh, dh);
                    }
                }
                if (n.on()) {
                    x.get((long) r * w, xRow, w);
                    for (int part = 0; part < 2; part++) {
                        float[] gam = gamma[part];
                        float[] dg = dGamma[part];
                        float[] db = dBeta[part];
                        for (int h = 0; h < heads; h++) {
                            int o = (part * heads + h) * dh;
                            long headRow = l.headRow(r, h);
                            float mu = (float) stats.get((2L * part) * l.headRows() + headRow);
                            float rs = (float) stats.get((2L * part + 1) * l.headRows() + headRow);
                            // copies first: C2 vectorises loops whose arrays are all indexed alike
                            System.arraycopy(xRow, o, xh, 0, dh);
                            System.arraycopy(dRow, o, g, 0, dh);
                            for (int i = 0; i < dh; i++) {
                                xh[i] = (xh[i] - mu) * rs;
                            }
                            for (int i = 0; i < dh; i++) {
                                t[i] = g[i] * gam[i];
                                dg[i] += g[i] * xh[i];
                                db[i] += g[i];
                            }
                            CpuNorms.rowBackward(t, xh, rs, dh);
                            System.arraycopy(xh, 0, dRow, o, dh);
                        }
                    }
                    if ((r - r0) % flushEvery == flushEvery - 1 || r == r1 - 1) {
                        for (int p = 0; p < 4; p++) {
                            FastMath.flush(p % 2 == 0 ? dGamma[p / 2] : dBeta[p / 2], partials, (c * 4 + p) * dh, dh);
                        }
                    }
                }
                dx.put((long) r * w, dRow, w);
            }
        });
        if (partials != null) {
            for (int p = 0; p < 4; p++) {
                CpuNorms.addPartials(partials, chunks, 4 * dh, p * dh, dh, grads[p]);
            }
        }
    }

    private static float[] load(Buf b, Scratch s, int slot, int n) {
        float[] a = s.floats(slot, n);
        b.get(0, a, n);
        return a;
    }
}
