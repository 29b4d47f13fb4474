package org.svgjava.core.kernels;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * LayerNorm and GroupNorm on dense arrays. Statistics and parameter-gradient sums are kept in double; parameter
 * gradients are summed per chunk and the chunk sums added in chunk order, so results do not depend on threading.
 */
final class CpuNorms {
    /** GroupNorm walks a (batch, group) block in pieces of this many elements. */
    private static final int PIECE = 4096;

    private CpuNorms() {
    }

    // ---------------- LayerNorm ----------------

    static void layerNorm(INDArray x, INDArray gamma, INDArray beta, double eps, INDArray y, INDArray mean,
                          INDArray rstd) {
        int d = (int) x.size(-1);
        int rows = (int) (x.length() / d);
        Buf xb = Buf.of(x);
        Buf yb = Buf.of(y);
        Buf gb = Buf.of(gamma);
        Buf bb = Buf.of(beta);
        Buf mb = Buf.of(mean);
        Buf rb = Buf.of(rstd);
        boolean isFloat = x.dataType() == DataType.FLOAT;
        Parallel.forEach(rows, d, (c, r0, r1) -> {
            if (isFloat) {
                layerNormF(xb, gb, bb, eps, yb, mb, rb, r0, r1, d);
            } else {
                layerNormD(xb, gb, bb, eps, yb, mb, rb, r0, r1, d);
            }
        });
    }

    private static void layerNormF(Buf xb, Buf gb, Buf bb, double eps, Buf yb, Buf mb, Buf rb, int r0, int r1, int d) {
        Scratch s = Scratch.get();
        float[] a = s.floats(0, d);
        float[] g = gb == null ? null : s.floats(1, d);
        float[] b = bb == null ? null : s.floats(2, d);
        if (g != null) {
            gb.get(0, g, d);
        }
        if (b != null) {
            bb.get(0, b, d);
        }
        for (int r = r0; r < r1; r++) {
            xb.get((long) r * d, a, d);
            double mu = FastMath.sum(a, d) / d;
            float fm = (float) mu;
            // the deviation from the rounded mean: its square sum exceeds the true one by d (mu - fm)^2, nothing
            double rs = 1 / Math.sqrt(FastMath.sumSquaredDeviation(a, d, fm) / d + eps);
            float fr = (float) rs;
            for (int i = 0; i < d; i++) {
                a[i] = (a[i] - fm) * fr;
            }
            if (g != null) {
                for (int i = 0; i < d; i++) {
                    a[i] *= g[i];
                }
            }
            if (b != null) {
                for (int i = 0; i < d; i++) {
                    a[i] += b[i];
                }
            }
            yb.put((long) r * d, a, d);
            putStat(mb, r, mu);
            putStat(rb, r, rs);
        }
    }

    private static void layerNormD(Buf xb, Buf gb, Buf bb, double eps, Buf yb, Buf mb, Buf rb, int r0, int r1, int d) {
        Scratch s = Scratch.get();
        double[] a = s.doubles(0, d);
        double[] g = gb == null ? null : s.doubles(1, d);
        double[] b = bb == null ? null : s.doubles(2, d);
        if (g != null) {
            gb.get(0, g, d);
        }
        if (b != null) {
            bb.get(0, b, d);
        }
        for (int r = r0; r < r1; r++) {
            xb.get((long) r * d, a, d);
            double mu = FastMath.sum(a, d) / d;
            double ss = 0;
            for (int i = 0; i < d; i++) {
                double v = a[i] - mu;
                ss += v * v;
            }
            double rs = 1 / Math.sqrt(ss / d + eps);
            for (int i = 0; i < d; i++) {
                double v = (a[i] - mu) * rs;
                if (g != null) {
                    v *= g[i];
                }
                a[i] = b == null ? v : v + b[i];
            }
            yb.put((long) r * d, a, d);
            putStat(mb, r, mu);
            putStat(rb, r, rs);
        }
    }

    /**
     * dx = rstd (g - mean(g) - xhat mean(g xhat)) with g = dy gamma, xhat = (x - mean) rstd;
     * dgamma += sum over rows of dy xhat, dbeta += sum over rows of dy.
     */
    static void layerNormBackward(INDArray dy, INDArray x, INDArray gamma, INDArray mean, INDArray rstd, INDArray dx,
                                  INDArray dgamma, INDArray dbeta) {
        int d = (int) x.size(-1);
        int rows = (int) (x.length() / d);
        int chunks = Parallel.chunks(rows, 2L * d);
        // per chunk: d sums for dgamma, then d for dbeta
        double[] partials = dgamma != null || dbeta != null ? Scratch.partials(chunks * 2 * d) : null;
        Buf gyb = Buf.of(dy);
        Buf xb = Buf.of(x);
        Buf gamb = Buf.of(gamma);
        Buf mb = Buf.of(mean);
        Buf rb = Buf.of(rstd);
        Buf dxb = Buf.of(dx);
        boolean isFloat = x.dataType() == DataType.FLOAT;
        Parallel.run(chunks, rows, (c, r0, r1) -> {
            if (isFloat) {
                layerNormBackwardF(gyb, xb, gamb, mb, rb, dxb, partials, c * 2 * d, r0, r1, d);
            } else {
                layerNormBackwardD(gyb, xb, gamb, mb, rb, dxb, partials, c * 2 * d, r0, r1, d);
            }
        });
        if (partials != null) {
            addPartials(partials, chunks, 2 * d, 0, d, dgamma);
            addPartials(partials, chunks, 2 * d, d, d, dbeta);
        }
    }

    /**
     * One row of the LayerNorm backward, float: {@code xhat = rstd (g - mean(g) - xhat mean(g xhat))} in place, with
     * g the output gradient already multiplied by the affine weight.
     */
    static void rowBackward(float[] g, float[] xhat, float rstd, int d) {
        float c1 = (float) (FastMath.sum(g, d) / d);
        float c2 = (float) (FastMath.dot(g, xhat, d) / d);
        for (int i = 0; i < d; i++) {
            xhat[i] = rstd * (g[i] - c1 - xhat[i] * c2);
        }
    }

    /** Parameter-gradient sums run in float over this many rows, then are added to the double partials. */
    static final int ROW_BLOCK = 32;

    private static void layerNormBackwardF(Buf gyb, Buf xb, Buf gamb, Buf mb, Buf rb, Buf dxb, double[] partials,
                                           int pOff, int r0, int r1, int d) {
        Scratch s = Scratch.get();
        float[] a = s.floats(0, d);
        float[] g = s.floats(1, d);
        float[] w = s.floats(2, d);
        float[] gam = gamb == null ? null : s.floats(3, d);
        float[] sumDyX = partials == null ? null : s.floats(4, d);
        float[] sumDy = partials == null ? null : s.floats(5, d);
        if (gam != null) {
            gamb.get(0, gam, d);
        }
        if (partials != null) {
            java.util.Arrays.fill(sumDyX, 0, d, 0f);
            java.util.Arrays.fill(sumDy, 0, d, 0f);
        }
        for (int r = r0; r < r1; r++) {
            xb.get((long) r * d, a, d);
            gyb.get((long) r * d, g, d);
            float mu = (float) mb.get(r);
            float rs = (float) rb.get(r);
            for (int i = 0; i < d; i++) {
                a[i] = (a[i] - mu) * rs;
            }
            if (partials != null) {
                for (int i = 0; i < d; i++) {
                    sumDyX[i] += g[i] * a[i];
                    sumDy[i] += g[i];
                }
                if ((r - r0) % ROW_BLOCK == ROW_BLOCK - 1 || r == r1 - 1) {
                    FastMath.flush(sumDyX, partials, pOff, d);
                    FastMath.flush(sumDy, partials, pOff + d, d);
                }
            }
            float[] gg = g;
            if (gam != null) {
                for (int i = 0; i < d; i++) {
                    w[i] = g[i] * gam[i];
                }
                gg = w;
            }
            rowBackward(gg, a, rs, d);
            dxb.put((long) r * d, a, d);
        }
    }

    private static void layerNormBackwardD(Buf gyb, Buf xb, Buf gamb, Buf mb, Buf rb, Buf dxb, double[] partials,
                                           int pOff, int r0, int r1, int d) {
        Scratch s = Scratch.get();
        double[] a = s.doubles(0, d);
        double[] g = s.doubles(1, d);
        double[] w = s.doubles(2, d);
        double[] gam = gamb == null ? null : s.doubles(3, d);
        if (gam != null) {
            gamb.get(0, gam, d);
        }
        for (int r = r0; r < r1; r++) {
            xb.get((long) r * d, a, d);
            gyb.get((long) r * d, g, d);
            double mu = mb.get(r);
            double rs = rb.get(r);
            for (int i = 0; i < d; i++) {
                a[i] = (a[i] - mu) * rs;
            }
            if (partials != null) {
                for (int i = 0; i < d; i++) {
                    partials[pOff + i] += g[i] * a[i];
                    partials[pOff + d + i] += g[i];
                }
            }
            for (int i = 0; i < d; i++) {
                w[i] = gam == null ? g[i] : g[i] * gam[i];
            }
            double c1 = FastMath.sum(w, d) / d;
            double c2 = FastMath.dot(w, a, d) / d;
            for (int i = 0; i < d; i++) {
                a[i] = rs * (w[i] - c1 - a[i] * c2);
            }
            dxb.put((long) r * d, a, d);
        }
    }

    // ---------------- adaLN: LayerNorm then modulate, FLOAT ----------------

    /** y = ((x - mean) rstd) (1 + scale[b]) + shift[b], row statistics saved; x {@code [B*T, D]}. */
    static void modulatedLayerNorm(Buf xb, double eps, CpuElementwise.Param shift, CpuElementwise.Param scale, Buf yb,
                                   Buf mb, Buf rb, int batch, int tokens, int d) {
        modulatedLayerNorm(xb, null, null, null, eps, shift, scale, yb, mb, rb, batch, tokens, d);
    }

    /**
     * With h not null, the normalised rows are {@code out = x + gate[b] h} (the gated residual before the norm,
     * also written to out) in the same pass: the row is normalised while it is in cache.
     */
    static void modulatedLayerNorm(Buf xb, Buf hb, CpuElementwise.Param gate, Buf outb, double eps,
                                   CpuElementwise.Param shift, CpuElementwise.Param scale, Buf yb, Buf mb, Buf rb,
                                   int batch, int tokens, int d) {
        Parallel.forEach(batch * tokens, d, (c, r0, r1) -> {
            Scratch s = Scratch.get();
            float[] a = s.floats(0, d);
            float[] sh = s.floats(1, d);
            float[] sc = s.floats(2, d);
            float[] v = hb != null ? s.floats(3, d) : null;
            float[] g = hb != null ? s.floats(4, d) : null;
            int loaded = -1;
            for (int r = r0; r < r1; r++) {
                int b = r / tokens;
                if (b != loaded) {
                    CpuElementwise.loadModulation(shift, scale, b, sh, sc, d);
                    if (hb != null) {
                        gate.buf().get(b * gate.stride(), g, d);
                    }
                    loaded = b;
                }
                xb.get((long) r * d, a, d);
                if (hb != null) {
                    hb.get((long) r * d, v, d);
                    for (int i = 0; i < d; i++) {
                        a[i] += g[i] * v[i];
                    }
                    outb.put((long) r * d, a, d);
                }
                double mu = FastMath.sum(a, d) / d;
                float fm = (float) mu;
                double rs = 1 / Math.sqrt(FastMath.sumSquaredDeviation(a, d, fm) / d + eps);
                float fr = (float) rs;
                for (int i = 0; i < d; i++) {
                    a[i] = (a[i] - fm) * fr * sc[i] + sh[i];
                }
                yb.put((long) r * d, a, d);
                mb.put(r, mu);
                rb.put(r, rs);
            }
        });
    }

    /**
     * The LayerNorm backward with {@code gamma = 1 + scale[b]}, whose "parameter gradients" are dscale and dshift
     * per sample; the residual gradient is added to dx in the same pass. Work units never straddle two samples,
     * so each sample's sums are its units' partials added in unit order.
     */
    static void modulatedLayerNormBackward(Buf gyb, Buf xb, Buf mb, Buf rb, CpuElementwise.Param scale, Buf resb,
                                           Buf dxb, Buf dshift, Buf dscale, int batch, int tokens, int d) {
        modulatedLayerNormBackward(gyb, xb, mb, rb, scale, resb, dxb, dshift, dscale, null, null, null, null, batch,
                tokens, d);
    }

    /**
     * With hb not null, also the backward of the gated residual that made x ({@code x = x0 + gate[b] h}) from the
     * dx rows while they are in cache: {@code dh = dx gate[b]}, {@code dgate[b] = sum_t dx h} (dgate may be null).
     */
    static void modulatedLayerNormBackward(Buf gyb, Buf xb, Buf mb, Buf rb, CpuElementwise.Param scale, Buf resb,
                                           Buf dxb, Buf dshift, Buf dscale, Buf hb, CpuElementwise.Param gate,
                                           Buf dhb, CpuElementwise.Param dgate, int batch, int tokens, int d) {
        int pieces = Math.max(1, Math.min(tokens, Parallel.chunks((long) batch * tokens, 2L * d) / batch));
        int units = batch * pieces;
        int sums = hb != null ? 3 : 2;
        double[] partials = Scratch.partials(units * sums * d);
        Parallel.run(units, units, (c, u0, u1) -> {
            Scratch s = Scratch.get();
            float[] a = s.floats(0, d);
            float[] g = s.floats(1, d);
            float[] w = s.floats(2, d);
            float[] sc = s.floats(3, d);
            float[] sumDyX = s.floats(4, d);
            float[] sumDy = s.floats(5, d);
            float[] gt = hb != null ? s.floats(6, d) : null;
            float[] sumGate = hb != null ? s.floats(7, d) : null;
            for (int u = u0; u < u1; u++) {
                int b = u / pieces;
                int piece = u % pieces;
                int r0 = b * tokens + Parallel.from(piece, pieces, tokens);
                int r1 = b * tokens + Parallel.from(piece + 1, pieces, tokens);
                int at = u * sums * d;
                CpuElementwise.loadModulation(null, scale, b, null, sc, d);
                java.util.Arrays.fill(sumDyX, 0, d, 0f);
                java.util.Arrays.fill(sumDy, 0, d, 0f);
                java.util.Arrays.fill(partials, at, at + sums * d, 0);
                if (hb != null) {
                    gate.buf().get(b * gate.stride(), gt, d);
                    java.util.Arrays.fill(sumGate, 0, d, 0f);
                }
                for (int r = r0; r < r1; r++) {
                    xb.get((long) r * d, a, d);
                    gyb.get((long) r * d, g, d);
                    float mu = (float) mb.get(r);
                    float rs = (float) rb.get(r);
                    // two loops: with its four stores in one, C2 left the loop scalar
                    for (int i = 0; i < d; i++) {
                        a[i] = (a[i] - mu) * rs;
                        sumDyX[i] += g[i] * a[i];
                        w[i] = g[i] * sc[i];
                    }
                    for (int i = 0; i < d; i++) {
                        sumDy[i] += g[i];
                    }
                    boolean flush = (r - r0) % ROW_BLOCK == ROW_BLOCK - 1 || r == r1 - 1;
                    if (flush) {
                        FastMath.flush(sumDyX, partials, at, d);
                        FastMath.flush(sumDy, partials, at + d, d);
                    }
                    rowBackward(w, a, rs, d);
                    if (resb != null) {
                        resb.get((long) r * d, w, d);
                        for (int i = 0; i < d; i++) {
                            a[i] += w[i];
                        }
                    }
                    dxb.put((long) r * d, a, d);
                    if (hb != null) {
                        hb.get((long) r * d, w, d);
                        for (int i = 0; i < d; i++) {
                            sumGate[i] += a[i] * w[i];
                            a[i] *= gt[i];
                        }
                        dhb.put((long) r * d, a, d);
                        if (flush) {
                            FastMath.flush(sumGate, partials, at + 2 * d, d);
                        }
                    }
                }
            }
        });
        for (int b = 0; b < batch; b++) {
            for (int i = 0; i < d; i++) {
                double dsc = 0;
                double dsh = 0;
                double dg = 0;
                for (int piece = 0; piece < pieces; piece++) {
                    int at = (b * pieces + piece) * sums * d;
                    dsc += partials[at + i];
                    dsh += partials[at + d + i];
                    dg += hb != null ? partials[at + 2 * d + i] : 0;
                }
                if (dscale != null) {
                    dscale.put((long) b * d + i, dsc);
                }
                if (dshift != null) {
                    dshift.put((long) b * d + i, dsh);
                }
                if (dgate != null) {
                    dgate.buf().put(b * dgate.stride() + i, dg);
                }
            }
        }
    }

    // ---------------- GroupNorm ----------------

    /** The [B, C, S] layout of a GroupNorm input and its (batch, group) blocks. */
    private record Groups(int batch, int channels, int spatial, int groups) {
        static Groups of(INDArray x, int groups) {
            int batch = (int) x.size(0);
            int channels = (int) x.size(1);
            return new Groups(batch, channels, (int) (x.length() / ((long) batch * channels)), groups);
        }

        int perGroup() {
            return channels / groups;
        }

        int units() {
            return batch * groups;
        }

        long block() {
            return (long) perGroup() * spatial;
        }

        int firstChannel(int unit) {
            return (unit % groups) * perGroup();
        }

        long channelStart(int unit, int channel) {
            return ((long) (unit / groups) * channels + channel) * spatial;
        }
    }

    static void groupNorm(INDArray x, int groups, INDArray gamma, INDArray beta, double eps, INDArray y, INDArray mean,
                          INDArray rstd) {
        Groups gs = Groups.of(x, groups);
        Buf xb = Buf.of(x);
        Buf yb = Buf.of(y);
        Buf gamb = Buf.of(gamma);
        Buf betb = Buf.of(beta);
        Buf mb = Buf.of(mean);
        Buf rb = Buf.of(rstd);
        long block = gs.block();
        Parallel.forEach(gs.units(), block, (c, u0, u1) -> {
            Scratch s = Scratch.get();
            for (int u = u0; u < u1; u++) {
                int ch0 = gs.firstChannel(u);
                long start = gs.channelStart(u, ch0);
                double mu = sum(xb, start, block, Double.NaN, s) / block;
                // deviations from the mean as the data's type holds it (see layerNorm)
                double center = xb.f != null ? (float) mu : mu;
                double rs = 1 / Math.sqrt(sum(xb, start, block, center, s) / block + eps);
                for (int ch = ch0; ch < ch0 + gs.perGroup(); ch++) {
                    double scale = gamb == null ? rs : rs * gamb.get(ch);
                    double shift = betb == null ? 0 : betb.get(ch);
                    normalize(xb, yb, gs.channelStart(u, ch), gs.spatial(), mu, scale, shift, s);
                }
                putStat(mb, u, mu);
                putStat(rb, u, rs);
            }
        });
    }

    /** Sum of x (c NaN) or of (x - c)^2 over {@code [start, start + n)}, in double. */
    private static double sum(Buf xb, long start, long n, double c, Scratch s) {
        double total = 0;
        if (xb.f != null) {
            float[] a = s.floats(0, PIECE);
            for (long p = 0; p < n; p += PIECE) {
                int len = (int) Math.min(PIECE, n - p);
                xb.get(start + p, a, len);
                total += Double.isNaN(c) ? FastMath.sum(a, len) : FastMath.sumSquaredDeviation(a, len, (float) c);
            }
        } else {
            double[] a = s.doubles(0, PIECE);
            for (long p = 0; p < n; p += PIECE) {
                int len = (int) Math.min(PIECE, n - p);
                xb.get(start + p, a, len);
                for (int i = 0; i < len; i++) {
                    double v = Double.isNaN(c) ? a[i] : (a[i] - c) * (a[i] - c);
                    total += v;
                }
            }
        }
        return total;
    }

    /** y = (x - mu) scale + shift over one channel. */
    private static void normalize(Buf xb, Buf yb, long at, int n, double mu, double scale, double shift, Scratch s) {
        if (xb.f != null) {
            float[] a = s.floats(0, PIECE);
            float fm = (float) mu;
            float fs = (float) scale;
            float fh = (float) shift;
            for (int p = 0; p < n; p += PIECE) {
                int len = Math.min(PIECE, n - p);
                xb.get(at + p, a, len);
                for (int i = 0; i < len; i++) {
                    a[i] = (a[i] - fm) * fs + fh;
                }
                yb.put(at + p, a, len);
            }
        } else {
            double[] a = s.doubles(0, PIECE);
            for (int p = 0; p < n; p += PIECE) {
                int len = Math.min(PIECE, n - p);
                xb.get(at + p, a, len);
                for (int i = 0; i < len; i++) {
                    a[i] = (a[i] - mu) * scale + shift;
                }
                yb.put(at + p, a, len);
            }
        }
    }

    /**
     * Per (batch, group): g = dy gamma[c], xhat = (x - mean) rstd, dx = rstd (g - mean(g) - xhat mean(g xhat));
     * dgamma[c] += sum dy xhat, dbeta[c] += sum dy.
     */
    static void groupNormBackward(INDArray dy, INDArray x, int groups, INDArray gamma, INDArray mean, INDArray rstd,
                                  INDArray dx, INDArray dgamma, INDArray dbeta) {
        Groups gs = Groups.of(x, groups);
        int channels = gs.channels();
        long block = gs.block();
        int chunks = Parallel.chunks(gs.units(), 2 * block);
        double[] partials = dgamma != null || dbeta != null ? Scratch.partials(chunks * 2 * channels) : null;
        Buf gyb = Buf.of(dy);
        Buf xb = Buf.of(x);
        Buf dxb = Buf.of(dx);
        Buf gamb = Buf.of(gamma);
        Buf mb = Buf.of(mean);
        Buf rb = Buf.of(rstd);
        Parallel.run(chunks, gs.units(), (c, u0, u1) -> {
            Scratch s = Scratch.get();
            double[] sums = s.doubles(7, 2);
            for (int u = u0; u < u1; u++) {
                double mu = mb.get(u);
                double rs = rb.get(u);
                int ch0 = gs.firstChannel(u);
                // pass 1: mean(g) and mean(g xhat) over the block, and the parameter sums per channel
                double sumG = 0;
                double sumGX = 0;
                for (int ch = ch0; ch < ch0 + gs.perGroup(); ch++) {
                    double gam = gamb == null ? 1 : gamb.get(ch);
                    channelSums(gyb, xb, gs.channelStart(u, ch), gs.spatial(), mu, rs, s, sums);
                    sumG += gam * sums[0];
                    sumGX += gam * sums[1];
                    if (partials != null) {
                        partials[c * 2 * channels + ch] += sums[1];
                        partials[c * 2 * channels + channels + ch] += sums[0];
                    }
                }
                double c1 = sumG / block;
                double c2 = sumGX / block;
                for (int ch = ch0; ch < ch0 + gs.perGroup(); ch++) {
                    double gam = gamb == null ? 1 : gamb.get(ch);
                    channelGrad(gyb, xb, dxb, gs.channelStart(u, ch), gs.spatial(), mu, rs, gam, c1, c2, s);
                }
            }
        });
        if (partials != null) {
            addPartials(partials, chunks, 2 * channels, 0, channels, dgamma);
            addPartials(partials, chunks, 2 * channels, channels, channels, dbeta);
        }
    }

    /** out = {sum dy, sum dy xhat} over one channel. */
    private static void channelSums(Buf gyb, Buf xb, long at, int n, double mu, double rs, Scratch s, double[] out) {
        double sumDy = 0;
        double sumDyX = 0;
        if (xb.f != null) {
            float[] a = s.floats(0, PIECE);
            float[] g = s.floats(1, PIECE);
            float fm = (float) mu;
            float fr = (float) rs;
            for (int p = 0; p < n; p += PIECE) {
                int len = Math.min(PIECE, n - p);
                xb.get(at + p, a, len);
                gyb.get(at + p, g, len);
                for (int i = 0; i < len; i++) {
                    a[i] = (a[i] - fm) * fr;
                }
                sumDy += FastMath.sum(g, len);
                sumDyX += FastMath.dot(g, a, len);
            }
        } else {
            double[] a = s.doubles(0, PIECE);
            double[] g = s.doubles(1, PIECE);
            for (int p = 0; p < n; p += PIECE) {
                int len = Math.min(PIECE, n - p);
                xb.get(at + p, a, len);
                gyb.get(at + p, g, len);
                for (int i = 0; i < len; i++) {
                    a[i] = (a[i] - mu) * rs;
                }
                sumDy += FastMath.sum(g, len);
                sumDyX += FastMath.dot(g, a, len);
            }
        }
        out[0] = sumDy;
        out[1] = sumDyX;
    }

    /** dx = rstd (dy gam - c1 - xhat c2) over one channel. */
    private static void channelGrad(Buf gyb, Buf xb, Buf dxb, long at, int n, double mu, double rs, double gam,
                                    double c1, double c2, Scratch s) {
        if (xb.f != null) {
            float[] a = s.floats(0, PIECE);
            float[] g = s.floats(1, PIECE);
            float fm = (float) mu;
            float fr = (float) rs;
            float fg = (float) gam;
            float f1 = (float) c1;
            float f2 = (float) c2;
            for (int p = 0; p < n; p += PIECE) {
                int len = Math.min(PIECE, n - p);
                xb.get(at + p, a, len);
                gyb.get(at + p, g, len);
                for (int i = 0; i < len; i++) {
                    a[i] = fr * (g[i] * fg - f1 - (a[i] - fm) * fr * f2);
                }
                dxb.put(at + p, a, len);
            }
        } else {
            double[] a = s.doubles(0, PIECE);
            double[] g = s.doubles(1, PIECE);
            for (int p = 0; p < n; p += PIECE) {
                int len = Math.min(PIECE, n - p);
                xb.get(at + p, a, len);
                gyb.get(at + p, g, len);
                for (int i = 0; i < len; i++) {
                    a[i] = rs * (g[i] * gam - c1 - (a[i] - mu) * rs * c2);
                }
                dxb.put(at + p, a, len);
            }
        }
    }

    // ---------------- shared ----------------

    private static void putStat(Buf stat, int i, double value) {
        if (stat != null) {
            stat.put(i, value);
        }
    }

    /** target[i] += sum over chunks of partials[c * stride + at + i], chunks in order. */
    static void addPartials(double[] partials, int chunks, int stride, int at, int n, INDArray target) {
        addPartials(partials, chunks, stride, at, n, Buf.of(target));
    }

    /** The same into a buffer; nothing for null. */
    static void addPartials(double[] partials, int chunks, int stride, int at, int n, Buf tb) {
        if (tb == null) {
            return;
        }
        for (int i = 0; i < n; i++) {
            double v = 0;
            for (int c = 0; c < chunks; c++) {
                v += partials[c * stride + at + i];
            }
            tb.put(i, tb.get(i) + v);
        }
    }
}
