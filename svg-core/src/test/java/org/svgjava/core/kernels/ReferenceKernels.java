package org.svgjava.core.kernels;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The textbook formulas in plain double loops, sharing no code with either implementation under test (its erf is
 * a series and a continued fraction, not Cody's rational functions). Slow, and only for tests.
 */
final class ReferenceKernels implements Kernels {
    static final double GELU_C = Math.sqrt(2 / Math.PI);
    static final double GELU_A = 0.044715;

    static double[] values(INDArray a) {
        return a.castTo(DataType.DOUBLE).dup('c').data().asDouble();
    }

    static void set(INDArray target, double[] v) {
        target.assign(Nd4j.createFromArray(v).reshape('c', target.shape()).castTo(target.dataType()));
    }

    @Override
    public void layerNorm(INDArray x, INDArray gamma, INDArray beta, double eps, INDArray y, INDArray mean,
                          INDArray rstd) {
        int d = (int) x.size(-1);
        int n = (int) (x.length() / d);
        double[] xs = values(x);
        double[] g = gamma == null ? null : values(gamma);
        double[] b = beta == null ? null : values(beta);
        double[] out = new double[xs.length];
        double[] mu = new double[n];
        double[] rs = new double[n];
        for (int r = 0; r < n; r++) {
            double s = 0;
            for (int i = 0; i < d; i++) {
                s += xs[r * d + i];
            }
            mu[r] = s / d;
            double v = 0;
            for (int i = 0; i < d; i++) {
                v += (xs[r * d + i] - mu[r]) * (xs[r * d + i] - mu[r]);
            }
            rs[r] = 1 / Math.sqrt(v / d + eps);
            for (int i = 0; i < d; i++) {
                double z = (xs[r * d + i] - mu[r]) * rs[r];
                out[r * d + i] = z * (g == null ? 1 : g[i]) + (b == null ? 0 : b[i]);
            }
        }
        set(y, out);
        if (mean != null) {
            set(mean, mu);
        }
        if (rstd != null) {
            set(rstd, rs);
        }
    }

    @Override
    public void layerNormBackward(INDArray dy, INDArray x, INDArray gamma, INDArray mean, INDArray rstd, INDArray dx,
                                  INDArray dgamma, INDArray dbeta) {
        int d = (int) x.size(-1);
        int n = (int) (x.length() / d);
        double[] xs = values(x);
        double[] gy = values(dy);
        double[] g = gamma == null ? null : values(gamma);
        double[] mu = values(mean);
        double[] rs = values(rstd);
        double[] out = new double[xs.length];
        double[] dg = dgamma == null ? null : values(dgamma);
        double[] db = dbeta == null ? null : values(dbeta);
        for (int r = 0; r < n; r++) {
            double sumG = 0;
            double sumGX = 0;
            for (int i = 0; i < d; i++) {
                double xhat = (xs[r * d + i] - mu[r]) * rs[r];
                double gi = gy[r * d + i] * (g == null ? 1 : g[i]);
                sumG += gi;
                sumGX += gi * xhat;
                if (dg != null) {
                    dg[i] += gy[r * d + i] * xhat;
                }
                if (db != null) {
                    db[i] += gy[r * d + i];
                }
            }
            for (int i = 0; i < d; i++) {
                double xhat = (xs[r * d + i] - mu[r]) * rs[r];
                double gi = gy[r * d + i] * (g == null ? 1 : g[i]);
                out[r * d + i] = rs[r] / d * (d * gi - sumG - xhat * sumGX);
            }
        }
        set(dx, out);
        if (dg != null) {
            set(dgamma, dg);
        }
        if (db != null) {
            set(dbeta, db);
        }
    }

    @Override
    public void groupNorm(INDArray x, int groups, INDArray gamma, INDArray beta, double eps, INDArray y, INDArray mean,
                          INDArray rstd) {
        int b = (int) x.size(0);
        int c = (int) x.size(1);
        int s = (int) (x.length() / ((long) b * c));
        int cg = c / groups;
        double[] xs = values(x);
        double[] g = gamma == null ? null : values(gamma);
        double[] be = beta == null ? null : values(beta);
        double[] out = new double[xs.length];
        double[] mu = new double[b * groups];
        double[] rs = new double[b * groups];
        for (int bi = 0; bi < b; bi++) {
            for (int gi = 0; gi < groups; gi++) {
                double sum = 0;
                for (int ch = gi * cg; ch < (gi + 1) * cg; ch++) {
                    for (int k = 0; k < s; k++) {
                        sum += xs[(bi * c + ch) * s + k];
                    }
                }
                double m = sum / (cg * s);
                double v = 0;
                for (int ch = gi * cg; ch < (gi + 1) * cg; ch++) {
                    for (int k = 0; k < s; k++) {
                        double e = xs[(bi * c + ch) * s + k] - m;
                        v += e * e;
                    }
                }
                double r = 1 / Math.sqrt(v / (cg * s) + eps);
                for (int ch = gi * cg; ch < (gi + 1) * cg; ch++) {
                    for (int k = 0; k < s; k++) {
                        int i = (bi * c + ch) * s + k;
                        out[i] = (xs[i] - m) * r * (g == null ? 1 : g[ch]) + (be == null ? 0 : be[ch]);
                    }
                }
                mu[bi * groups + gi] = m;
                rs[bi * groups + gi] = r;
            }
        }
        set(y, out);
        if (mean != null) {
            set(mean, mu);
        }
        if (rstd != null) {
            set(rstd, rs);
        }
    }

    @Override
    public void groupNormBackward(INDArray dy, INDArray x, int groups, INDArray gamma, INDArray mean, INDArray rstd,
                                  INDArray dx, INDArray dgamma, INDArray dbeta) {
        int b = (int) x.size(0);
        int c = (int) x.size(1);
        int s = (int) (x.length() / ((long) b * c));
        int cg = c / groups;
        int m = cg * s;
        double[] xs = values(x);
        double[] gy = values(dy);
        double[] g = gamma == null ? null : values(gamma);
        double[] mu = values(mean);
        double[] rs = values(rstd);
        double[] dg = dgamma == null ? null : values(dgamma);
        double[] db = dbeta == null ? null : values(dbeta);
        double[] out = new double[xs.length];
        for (int bi = 0; bi < b; bi++) {
            for (int gi = 0; gi < groups; gi++) {
                int u = bi * groups + gi;
                double sumG = 0;
                double sumGX = 0;
                for (int ch = gi * cg; ch < (gi + 1) * cg; ch++) {
                    for (int k = 0; k < s; k++) {
                        int i = (bi * c + ch) * s + k;
                        double xhat = (xs[i] - mu[u]) * rs[u];
                        double gg = gy[i] * (g == null ? 1 : g[ch]);
                        sumG += gg;
                        sumGX += gg * xhat;
                        if (dg != null) {
                            dg[ch] += gy[i] * xhat;
                        }
                        if (db != null) {
                            db[ch] += gy[i];
                        }
                    }
                }
                for (int ch = gi * cg; ch < (gi + 1) * cg; ch++) {
                    for (int k = 0; k < s; k++) {
                        int i = (bi * c + ch) * s + k;
                        double xhat = (xs[i] - mu[u]) * rs[u];
                        double gg = gy[i] * (g == null ? 1 : g[ch]);
                        out[i] = rs[u] / m * (m * gg - sumG - xhat * sumGX);
                    }
                }
            }
        }
        set(dx, out);
        if (dg != null) {
            set(dgamma, dg);
        }
        if (db != null) {
            set(dbeta, db);
        }
    }

    @Override
    public void softmax(INDArray x, INDArray y) {
        int l = (int) x.size(-1);
        double[] xs = values(x);
        double[] out = new double[xs.length];
        for (int r = 0; r < xs.length / l; r++) {
            softmaxRow(xs, r * l, l, 1, out);
        }
        set(y, out);
    }

    private static void softmaxRow(double[] xs, int at, int l, double scale, double[] out) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < l; i++) {
            max = Math.max(max, scale * xs[at + i]);
        }
        double sum = 0;
        for (int i = 0; i < l; i++) {
            out[at + i] = Math.exp(scale * xs[at + i] - max);
            sum += out[at + i];
        }
        for (int i = 0; i < l; i++) {
            out[at + i] /= sum;
        }
    }

    @Override
    public void softmaxBackward(INDArray y, INDArray dy, INDArray dx) {
        int l = (int) y.size(-1);
        double[] ys = values(y);
        double[] gs = values(dy);
        double[] out = new double[ys.length];
        for (int r = 0; r < ys.length / l; r++) {
            // dx_i = sum_j dy_j (d y_j / d x_i) = sum_j dy_j y_j (delta_ij - y_i)
            for (int i = 0; i < l; i++) {
                double v = 0;
                for (int j = 0; j < l; j++) {
                    v += gs[r * l + j] * ys[r * l + j] * ((i == j ? 1 : 0) - ys[r * l + i]);
                }
                out[r * l + i] = v;
            }
        }
        set(dx, out);
    }

    static double geluTanh(double x) {
        return 0.5 * x * (1 + Math.tanh(GELU_C * (x + GELU_A * x * x * x)));
    }

    static double geluTanhDerivative(double x) {
        double t = Math.tanh(GELU_C * (x + GELU_A * x * x * x));
        return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * GELU_C * (1 + 3 * GELU_A * x * x);
    }

    /** Standard normal CDF from an erfc that shares nothing with the code under test. */
    static double normalCdf(double x) {
        return 0.5 * erfc(-x / Math.sqrt(2));
    }

    /**
     * Positive-term series of erf below 1.5, continued fraction of erfc above (backward recurrence, 200 terms):
     * within 1e-15 relative of a 80-digit BigDecimal series on [-3, 6].
     */
    static double erfc(double z) {
        if (z < 0) {
            return 2 - erfc(-z);
        }
        if (z < 1.5) {
            double term = z;
            double sum = z;
            for (int n = 1; n < 200; n++) {
                term *= 2 * z * z / (2 * n + 1);
                sum += term;
                if (term < 1e-18 * sum) {
                    break;
                }
            }
            return 1 - 2 / Math.sqrt(Math.PI) * Math.exp(-z * z) * sum;
        }
        double f = 0;
        for (int n = 200; n >= 1; n--) {
            f = n / 2.0 / (z + f);
        }
        return Math.exp(-z * z) / Math.sqrt(Math.PI) / (z + f);
    }

    static double geluErf(double x) {
        return x * normalCdf(x);
    }

    static double geluErfDerivative(double x) {
        return normalCdf(x) + x * Math.exp(-x * x / 2) / Math.sqrt(2 * Math.PI);
    }

    static double silu(double x) {
        return x / (1 + Math.exp(-x));
    }

    static double siluDerivative(double x) {
        double s = 1 / (1 + Math.exp(-x));
        return s + x * s * (1 - s);
    }

    @Override
    public void gelu(INDArray x, INDArray y, boolean tanh) {
        double[] v = values(x);
        for (int i = 0; i < v.length; i++) {
            v[i] = tanh ? geluTanh(v[i]) : geluErf(v[i]);
        }
        set(y, v);
    }

    @Override
    public void geluBackward(INDArray x, INDArray dy, INDArray dx, boolean tanh) {
        double[] v = values(x);
        double[] g = values(dy);
        for (int i = 0; i < v.length; i++) {
            v[i] = g[i] * (tanh ? geluTanhDerivative(v[i]) : geluErfDerivative(v[i]));
        }
        set(dx, v);
    }

    @Override
    public void silu(INDArray x, INDArray y) {
        double[] v = values(x);
        for (int i = 0; i < v.length; i++) {
            v[i] = silu(v[i]);
        }
        set(y, v);
    }

    @Override
    public void siluBackward(INDArray x, INDArray dy, INDArray dx) {
        double[] v = values(x);
        double[] g = values(dy);
        for (int i = 0; i < v.length; i++) {
            v[i] = g[i] * siluDerivative(v[i]);
        }
        set(dx, v);
    }

    @Override
    public void modulate(INDArray x, INDArray shift, INDArray scale, INDArray y) {
        int d = (int) x.size(-1);
        double[] xs = values(x);
        double[] sh = values(shift);
        double[] sc = values(scale);
        int tokens = xs.length / sh.length;
        for (int i = 0; i < xs.length; i++) {
            int b = i / (tokens * d);
            int j = i % d;
            xs[i] = xs[i] * (1 + sc[b * d + j]) + sh[b * d + j];
        }
        set(y, xs);
    }

    @Override
    public void modulateBackward(INDArray dy, INDArray x, INDArray scale, INDArray dx, INDArray dshift,
                                 INDArray dscale) {
        int d = (int) x.size(-1);
        double[] xs = values(x);
        double[] g = values(dy);
        double[] sc = values(scale);
        int tokens = xs.length / sc.length;
        double[] dsh = new double[sc.length];
        double[] dsc = new double[sc.length];
        double[] out = new double[xs.length];
        for (int i = 0; i < xs.length; i++) {
            int p = (i / (tokens * d)) * d + i % d;
            out[i] = g[i] * (1 + sc[p]);
            dsh[p] += g[i];
            dsc[p] += g[i] * xs[i];
        }
        set(dx, out);
        if (dshift != null) {
            set(dshift, dsh);
        }
        if (dscale != null) {
            set(dscale, dsc);
        }
    }

    @Override
    public double squaredError(INDArray out, INDArray target, double scale, INDArray dOut) {
        double[] o = values(out);
        double[] t = values(target);
        double sum = 0;
        for (int i = 0; i < o.length; i++) {
            double e = o[i] - t[i];
            sum += e * e;
            o[i] = scale * e;
        }
        set(dOut, o);
        return sum;
    }

    @Override
    public void zero(INDArray a) {
        set(a, new double[(int) a.length()]);
    }

    @Override
    public void addTo(INDArray acc, INDArray x) {
        double[] a = values(acc);
        double[] v = values(x);
        for (int i = 0; i < a.length; i++) {
            a[i] += v[i];
        }
        set(acc, a);
    }

    @Override
    public void swapLeadingAxes(INDArray src, INDArray dst) {
        int na = (int) src.size(0);
        int nb = (int) src.size(1);
        int nc = (int) src.size(2);
        double[] s = values(src);
        double[] d = new double[s.length];
        for (int i = 0; i < na; i++) {
            for (int j = 0; j < nb; j++) {
                for (int e = 0; e < nc; e++) {
                    d[(j * na + i) * nc + e] = s[(i * nb + j) * nc + e];
                }
            }
        }
        set(dst, d);
    }

    @Override
    public void gatedResidual(INDArray x, INDArray h, INDArray gate, INDArray out) {
        int d = (int) x.size(-1);
        double[] xs = values(x);
        double[] hs = values(h);
        double[] gs = values(gate);
        int tokens = xs.length / gs.length;
        for (int i = 0; i < xs.length; i++) {
            xs[i] += gs[(i / (tokens * d)) * d + i % d] * hs[i];
        }
        set(out, xs);
    }

    @Override
    public void gatedResidualBackward(INDArray dout, INDArray h, INDArray gate, INDArray dh, INDArray dgate) {
        int d = (int) h.size(-1);
        double[] g = values(dout);
        double[] hs = values(h);
        double[] gs = values(gate);
        int tokens = hs.length / gs.length;
        double[] out = new double[hs.length];
        double[] dg = new double[gs.length];
        for (int i = 0; i < hs.length; i++) {
            int p = (i / (tokens * d)) * d + i % d;
            out[i] = g[i] * gs[p];
            dg[p] += g[i] * hs[i];
        }
        set(dh, out);
        if (dgate != null) {
            set(dgate, dg);
        }
    }

    @Override
    public void rope(INDArray x, INDArray sin, INDArray cos, int prefix, boolean inverse, INDArray y) {
        int t = (int) x.size(-2);
        int dh = (int) x.size(-1);
        int half = dh / 2;
        double[] xs = values(x);
        double[] sn = values(sin);
        double[] cs = values(cos);
        double[] out = xs.clone();
        for (int row = 0; row < xs.length / dh; row++) {
            int tok = row % t;
            if (tok < prefix) {
                continue;
            }
            int p = (tok - prefix) * dh;
            int at = row * dh;
            double sign = inverse ? -1 : 1;
            for (int i = 0; i < half; i++) {
                double x1 = xs[at + i];
                double x2 = xs[at + half + i];
                out[at + i] = x1 * cs[p + i] - x2 * sign * sn[p + i];
                out[at + half + i] = x2 * cs[p + half + i] + x1 * sign * sn[p + half + i];
            }
        }
        set(y, out);
    }

    @Override
    public void attention(INDArray q, INDArray k, INDArray v, double scale, INDArray probs, INDArray out) {
        int bh = (int) q.size(0);
        int t = (int) q.size(1);
        int tk = (int) k.size(1);
        int dh = (int) q.size(2);
        int dv = (int) v.size(2);
        double[] qs = values(q);
        double[] ks = values(k);
        double[] vs = values(v);
        double[] logits = new double[bh * t * tk];
        double[] p = new double[logits.length];
        double[] o = new double[bh * t * dv];
        for (int b = 0; b < bh; b++) {
            for (int i = 0; i < t; i++) {
                for (int j = 0; j < tk; j++) {
                    double s = 0;
                    for (int c = 0; c < dh; c++) {
                        s += qs[(b * t + i) * dh + c] * ks[(b * tk + j) * dh + c];
                    }
                    logits[(b * t + i) * tk + j] = s;
                }
                softmaxRow(logits, (b * t + i) * tk, tk, scale, p);
                for (int c = 0; c < dv; c++) {
                    double s = 0;
                    for (int j = 0; j < tk; j++) {
                        s += p[(b * t + i) * tk + j] * vs[(b * tk + j) * dv + c];
                    }
                    o[(b * t + i) * dv + c] = s;
                }
            }
        }
        set(probs, transposed(p, bh, t, tk));
        if (out.size(0) == bh) {
            set(out, o);
        } else {
            INDArray head = Nd4j.createFromArray(o).reshape('c', bh, t, dv);
            INDArray tokenMajor = out.ulike().castTo(DataType.DOUBLE);
            int heads = bh / (int) out.size(0);
            tokenMajor.reshape('c', out.size(0), t, heads, dv)
                    .assign(head.reshape('c', out.size(0), heads, t, dv).permute(0, 2, 1, 3));
            set(out, values(tokenMajor));
        }
    }

    @Override
    public void attentionBackward(INDArray q, INDArray k, INDArray v, INDArray probs, double scale, INDArray dout,
                                  INDArray dq, INDArray dk, INDArray dv) {
        int bh = (int) q.size(0);
        int t = (int) q.size(1);
        int tk = (int) k.size(1);
        int dh = (int) q.size(2);
        int dvd = (int) v.size(2);
        double[] qs = values(q);
        double[] ks = values(k);
        double[] vs = values(v);
        double[] p = transposed(values(probs), bh, tk, t);
        double[] go = values(PortableKernels.headMajor(dout, bh));
        double[] gq = new double[qs.length];
        double[] gk = new double[ks.length];
        double[] gv = new double[vs.length];
        for (int b = 0; b < bh; b++) {
            for (int i = 0; i < t; i++) {
                int row = (b * t + i) * tk;
                double[] dp = new double[tk];
                for (int j = 0; j < tk; j++) {
                    for (int c = 0; c < dvd; c++) {
                        dp[j] += go[(b * t + i) * dvd + c] * vs[(b * tk + j) * dvd + c];
                        gv[(b * tk + j) * dvd + c] += p[row + j] * go[(b * t + i) * dvd + c];
                    }
                }
                double dot = 0;
                for (int j = 0; j < tk; j++) {
                    dot += dp[j] * p[row + j];
                }
                for (int j = 0; j < tk; j++) {
                    double ds = scale * p[row + j] * (dp[j] - dot);
                    for (int c = 0; c < dh; c++) {
                        gq[(b * t + i) * dh + c] += ds * ks[(b * tk + j) * dh + c];
                        gk[(b * tk + j) * dh + c] += ds * qs[(b * t + i) * dh + c];
                    }
                }
            }
        }
        set(dq, gq);
        set(dk, gk);
        set(dv, gv);
    }

    @Override
    public void linear(INDArray x, INDArray w, INDArray b, INDArray y) {
        int n = (int) x.size(0);
        int in = (int) x.size(1);
        int out = (int) w.size(0);
        double[] xs = values(x);
        double[] ws = values(w);
        double[] bs = b == null ? new double[out] : values(b);
        double[] ys = new double[n * out];
        for (int r = 0; r < n; r++) {
            for (int o = 0; o < out; o++) {
                double s = bs[o];
                for (int i = 0; i < in; i++) {
                    s += xs[r * in + i] * ws[o * in + i];
                }
                ys[r * out + o] = s;
            }
        }
        set(y, ys);
    }

    @Override
    public void linearBackward(INDArray dy, INDArray x, INDArray w, INDArray dx, INDArray dw, INDArray db) {
        int n = (int) x.size(0);
        int in = (int) x.size(1);
        int out = (int) w.size(0);
        double[] g = values(dy);
        double[] xs = values(x);
        double[] ws = values(w);
        if (dx != null) {
            double[] d = new double[n * in];
            for (int r = 0; r < n; r++) {
                for (int i = 0; i < in; i++) {
                    for (int o = 0; o < out; o++) {
                        d[r * in + i] += g[r * out + o] * ws[o * in + i];
                    }
                }
            }
            set(dx, d);
        }
        if (dw != null) {
            double[] d = values(dw);
            for (int o = 0; o < out; o++) {
                for (int i = 0; i < in; i++) {
                    for (int r = 0; r < n; r++) {
                        d[o * in + i] += g[r * out + o] * xs[r * in + i];
                    }
                }
            }
            set(dw, d);
        }
        if (db != null) {
            double[] d = values(db);
            for (int r = 0; r < n; r++) {
                for (int o = 0; o < out; o++) {
                    d[o] += g[r * out + o];
                }
            }
            set(db, d);
        }
    }

    @Override
    public void modulatedLayerNorm(INDArray x, double eps, INDArray shift, INDArray scale, INDArray y, INDArray mean,
                                   INDArray rstd) {
        int d = (int) x.size(-1);
        int rows = (int) (x.length() / d);
        int tokens = rows / (int) (shift.length() / d);
        double[] xs = values(x);
        double[] sh = values(shift);
        double[] sc = values(scale);
        double[] out = new double[xs.length];
        double[] mu = new double[rows];
        double[] rs = new double[rows];
        for (int r = 0; r < rows; r++) {
            double m = 0;
            for (int i = 0; i < d; i++) {
                m += xs[r * d + i];
            }
            m /= d;
            double v = 0;
            for (int i = 0; i < d; i++) {
                v += (xs[r * d + i] - m) * (xs[r * d + i] - m);
            }
            mu[r] = m;
            rs[r] = 1 / Math.sqrt(v / d + eps);
            int b = r / tokens;
            for (int i = 0; i < d; i++) {
                out[r * d + i] = (xs[r * d + i] - m) * rs[r] * (1 + sc[b * d + i]) + sh[b * d + i];
            }
        }
        set(y, out);
        set(mean, mu);
        set(rstd, rs);
    }

    /** Written out from the chain rule: d n_j / d x_i = rstd (delta_ij - 1/d - n_i n_j / d). */
    @Override
    public void modulatedLayerNormBackward(INDArray dy, INDArray x, INDArray mean, INDArray rstd, INDArray scale,
                                           INDArray residual, INDArray dx, INDArray dshift, INDArray dscale) {
        int d = (int) x.size(-1);
        int rows = (int) (x.length() / d);
        int batch = (int) (scale.length() / d);
        int tokens = rows / batch;
        double[] g = values(dy);
        double[] xs = values(x);
        double[] mu = values(mean);
        double[] rs = values(rstd);
        double[] sc = values(scale);
        double[] res = residual == null ? new double[xs.length] : values(residual);
        double[] out = new double[xs.length];
        double[] dsh = new double[batch * d];
        double[] dsc = new double[batch * d];
        double[] n = new double[d];
        double[] gn = new double[d];
        for (int r = 0; r < rows; r++) {
            int b = r / tokens;
            for (int i = 0; i < d; i++) {
                n[i] = (xs[r * d + i] - mu[r]) * rs[r];
                gn[i] = g[r * d + i] * (1 + sc[b * d + i]);
                dsh[b * d + i] += g[r * d + i];
                dsc[b * d + i] += g[r * d + i] * n[i];
            }
            for (int i = 0; i < d; i++) {
                double s = 0;
                for (int j = 0; j < d; j++) {
                    s += gn[j] * rs[r] * ((i == j ? 1 : 0) - 1.0 / d - n[i] * n[j] / d);
                }
                out[r * d + i] = s + res[r * d + i];
            }
        }
        set(dx, out);
        if (dshift != null) {
            set(dshift, dsh);
        }
        if (dscale != null) {
            set(dscale, dsc);
        }
    }

    @Override
    public void splitHeads(INDArray x, double eps, INDArray qGamma, INDArray qBeta, INDArray kGamma, INDArray kBeta,
                           INDArray q, INDArray k, INDArray v, INDArray stats) {
        int b = (int) q.size(0);
        int h = (int) q.size(1);
        int t = (int) q.size(2);
        int dh = (int) q.size(3);
        int n = b * h * t;
        double[] xs = values(x);
        double[][] out = new double[3][n * dh];
        double[] st = new double[4 * n];
        double[][] gammas = qGamma == null ? null : new double[][] {values(qGamma), values(kGamma)};
        double[][] betas = qGamma == null ? null : new double[][] {values(qBeta), values(kBeta)};
        for (int bi = 0; bi < b; bi++) {
            for (int ti = 0; ti < t; ti++) {
                for (int part = 0; part < 3; part++) {
                    for (int hi = 0; hi < h; hi++) {
                        int src = ((bi * t + ti) * 3 * h + part * h + hi) * dh;
                        int row = (bi * h + hi) * t + ti;
                        double mu = 0;
                        double var = 0;
                        for (int i = 0; i < dh; i++) {
                            mu += xs[src + i] / dh;
                        }
                        for (int i = 0; i < dh; i++) {
                            var += (xs[src + i] - mu) * (xs[src + i] - mu) / dh;
                        }
                        double rs = 1 / Math.sqrt(var + eps);
                        boolean norm = gammas != null && part < 2;
                        for (int i = 0; i < dh; i++) {
                            out[part][row * dh + i] = norm
                                    ? (xs[src + i] - mu) * rs * gammas[part][i] + betas[part][i] : xs[src + i];
                        }
                        if (norm) {
                            st[2 * part * n + row] = mu;
                            st[(2 * part + 1) * n + row] = rs;
                        }
                    }
                }
            }
        }
        set(q, out[0]);
        set(k, out[1]);
        set(v, out[2]);
        if (stats != null) {
            set(stats, st);
        }
    }

    /** The LayerNorm backward written from the chain rule, per head vector, then the layout reversed. */
    @Override
    public void splitHeadsBackward(INDArray dq, INDArray dk, INDArray dv, INDArray x, INDArray qGamma,
                                   INDArray kGamma, INDArray stats, INDArray dx, INDArray dqGamma, INDArray dqBeta,
                                   INDArray dkGamma, INDArray dkBeta) {
        int b = (int) dq.size(0);
        int h = (int) dq.size(1);
        int t = (int) dq.size(2);
        int dh = (int) dq.size(3);
        int n = b * h * t;
        double[] xs = values(x);
        double[][] g = {values(dq), values(dk), values(dv)};
        double[] st = stats == null ? null : values(stats);
        double[][] gammas = qGamma == null ? null : new double[][] {values(qGamma), values(kGamma)};
        INDArray[][] targets = {{dqGamma, dqBeta}, {dkGamma, dkBeta}};
        double[][][] pg = new double[2][2][dh];
        double[] out = new double[xs.length];
        for (int bi = 0; bi < b; bi++) {
            for (int ti = 0; ti < t; ti++) {
                for (int part = 0; part < 3; part++) {
                    for (int hi = 0; hi < h; hi++) {
                        int dst = ((bi * t + ti) * 3 * h + part * h + hi) * dh;
                        int row = (bi * h + hi) * t + ti;
                        if (gammas == null || part == 2) {
                            for (int i = 0; i < dh; i++) {
                                out[dst + i] = g[part][row * dh + i];
                            }
                            continue;
                        }
                        double mu = st[2 * part * n + row];
                        double rs = st[(2 * part + 1) * n + row];
                        double[] xhat = new double[dh];
                        for (int i = 0; i < dh; i++) {
                            xhat[i] = (xs[dst + i] - mu) * rs;
                            pg[part][0][i] += g[part][row * dh + i] * xhat[i];
                            pg[part][1][i] += g[part][row * dh + i];
                        }
                        for (int i = 0; i < dh; i++) {
                            double sum = 0;
                            for (int j = 0; j < dh; j++) {
                                double dn = g[part][row * dh + j] * gammas[part][j];
                                sum += dn * rs * ((i == j ? 1 : 0) - 1.0 / dh - xhat[i] * xhat[j] / dh);
                            }
                            out[dst + i] = sum;
                        }
                    }
                }
            }
        }
        set(dx, out);
        for (int part = 0; part < 2; part++) {
            for (int w = 0; w < 2; w++) {
                INDArray target = targets[part][w];
                if (target != null && gammas != null) {
                    double[] acc = values(target);
                    for (int i = 0; i < dh; i++) {
                        acc[i] += pg[part][w][i];
                    }
                    set(target, acc);
                }
            }
        }
    }

    /** Each of the n {@code rows x cols} blocks of a transposed, as the attention kernels keep probabilities. */
    static double[] transposed(double[] a, int n, int rows, int cols) {
        double[] t = new double[a.length];
        for (int b = 0; b < n; b++) {
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < cols; c++) {
                    t[(b * cols + c) * rows + r] = a[(b * rows + r) * cols + c];
                }
            }
        }
        return t;
    }
}
