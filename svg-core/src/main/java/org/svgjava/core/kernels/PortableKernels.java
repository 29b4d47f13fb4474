package org.svgjava.core.kernels;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Erfc;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The kernels as compositions of ND4J operations only (broadcasting arithmetic, transforms, reductions, matmul),
 * with no access to memory, so they run on any backend, CUDA included, and on any layout. Correctness over speed:
 * results are built in temporaries and assigned to the outputs at the end, which also makes in-place use safe.
 * Norms, and every sum that becomes a parameter gradient, are computed in double.
 *
 * <p>Two ND4J 1.0.0-M2.1 functions are avoided on purpose: {@code Transforms.gelu} is the sigmoid approximation
 * and {@code preciseGelu} is wrong, so both GELUs are written out, in forms without cancellation for negative
 * x: tanh-GELU as {@code x sigmoid(2u)} (equal to {@code x (1 + tanh u) / 2}), exact GELU as
 * {@code x erfc(-x / sqrt2) / 2} with the {@link Erfc} op ({@code Transforms} has no erf in M2.1).
 */
public final class PortableKernels implements Kernels {
    private static final double GELU_C = CpuActivations.GELU_C;
    private static final double GELU_A = CpuActivations.GELU_A;
    private static final double INV_SQRT2 = 0.7071067811865476;
    private static final double INV_SQRT_2PI = 0.3989422804014327;

    // ---------------- checks shared with CpuKernels ----------------

    static long checkLayerNorm(INDArray x, INDArray gamma, INDArray beta, INDArray y, INDArray mean, INDArray rstd) {
        long d = KernelArgs.lastDim("x", x);
        long n = x.length() / d;
        KernelArgs.sameLength("y", y, x, "x");
        KernelArgs.lengthIs("gamma", gamma, d, true);
        KernelArgs.lengthIs("beta", beta, d, true);
        KernelArgs.lengthIs("mean", mean, n, true);
        KernelArgs.lengthIs("rstd", rstd, n, true);
        KernelArgs.sameType(x, gamma, beta, y, mean, rstd);
        return d;
    }

    static long checkLayerNormBackward(INDArray dy, INDArray x, INDArray gamma, INDArray mean, INDArray rstd,
                                       INDArray dx, INDArray dgamma, INDArray dbeta) {
        long d = KernelArgs.lastDim("x", x);
        long n = x.length() / d;
        KernelArgs.sameLength("dy", dy, x, "x");
        KernelArgs.sameLength("dx", dx, x, "x");
        KernelArgs.lengthIs("gamma", gamma, d, true);
        KernelArgs.lengthIs("mean", mean, n, false);
        KernelArgs.lengthIs("rstd", rstd, n, false);
        KernelArgs.lengthIs("dgamma", dgamma, d, true);
        KernelArgs.lengthIs("dbeta", dbeta, d, true);
        KernelArgs.sameType(x, dy, gamma, mean, rstd, dx, dgamma, dbeta);
        return d;
    }

    static void checkGroupNorm(INDArray x, int groups, INDArray gamma, INDArray beta, INDArray y, INDArray mean,
                               INDArray rstd) {
        long c = KernelArgs.groupNormChannels(x, groups);
        long units = x.size(0) * groups;
        KernelArgs.sameLength("y", y, x, "x");
        KernelArgs.lengthIs("gamma", gamma, c, true);
        KernelArgs.lengthIs("beta", beta, c, true);
        KernelArgs.lengthIs("mean", mean, units, true);
        KernelArgs.lengthIs("rstd", rstd, units, true);
        KernelArgs.sameType(x, gamma, beta, y, mean, rstd);
    }

    static void checkGroupNormBackward(INDArray dy, INDArray x, int groups, INDArray gamma, INDArray mean,
                                       INDArray rstd, INDArray dx, INDArray dgamma, INDArray dbeta) {
        long c = KernelArgs.groupNormChannels(x, groups);
        long units = x.size(0) * groups;
        KernelArgs.sameLength("dy", dy, x, "x");
        KernelArgs.sameLength("dx", dx, x, "x");
        KernelArgs.lengthIs("gamma", gamma, c, true);
        KernelArgs.lengthIs("mean", mean, units, false);
        KernelArgs.lengthIs("rstd", rstd, units, false);
        KernelArgs.lengthIs("dgamma", dgamma, c, true);
        KernelArgs.lengthIs("dbeta", dbeta, c, true);
        KernelArgs.sameType(x, dy, gamma, mean, rstd, dx, dgamma, dbeta);
    }

    /** x plus (name, array) pairs that must match it element for element. */
    static void checkSame(INDArray x, Object... namedArrays) {
        KernelArgs.lastDim("x", x);
        for (int i = 0; i < namedArrays.length; i += 2) {
            INDArray a = (INDArray) namedArrays[i + 1];
            KernelArgs.sameLength((String) namedArrays[i], a, x, "x");
            KernelArgs.sameType(x, a);
        }
    }

    static long[] checkModulate(INDArray x, INDArray shift, INDArray scale, INDArray y) {
        long d = KernelArgs.lastDim("x", x);
        long[] bt = KernelArgs.perSample("shift", x, shift, d);
        KernelArgs.lengthIs("scale", scale, shift.length(), false);
        KernelArgs.sameLength("y", y, x, "x");
        KernelArgs.sameType(x, shift, scale, y);
        return bt;
    }

    static long[] checkModulateBackward(INDArray dy, INDArray x, INDArray scale, INDArray dx, INDArray dshift,
                                        INDArray dscale) {
        long d = KernelArgs.lastDim("x", x);
        long[] bt = KernelArgs.perSample("scale", x, scale, d);
        KernelArgs.sameLength("dy", dy, x, "x");
        KernelArgs.sameLength("dx", dx, x, "x");
        KernelArgs.lengthIs("dshift", dshift, scale.length(), true);
        KernelArgs.lengthIs("dscale", dscale, scale.length(), true);
        KernelArgs.sameType(x, dy, scale, dx, dshift, dscale);
        return bt;
    }

    static long[] checkGatedResidual(INDArray x, INDArray h, INDArray gate, INDArray out) {
        long d = KernelArgs.lastDim("x", x);
        long[] bt = KernelArgs.perSample("gate", x, gate, d);
        KernelArgs.sameLength("h", h, x, "x");
        KernelArgs.sameLength("out", out, x, "x");
        KernelArgs.sameType(x, h, gate, out);
        return bt;
    }

    static long[] checkGatedResidualBackward(INDArray dout, INDArray h, INDArray gate, INDArray dh, INDArray dgate) {
        long d = KernelArgs.lastDim("h", h);
        long[] bt = KernelArgs.perSample("gate", h, gate, d);
        KernelArgs.sameLength("dout", dout, h, "h");
        KernelArgs.sameLength("dh", dh, h, "h");
        KernelArgs.lengthIs("dgate", dgate, gate.length(), true);
        KernelArgs.sameType(h, dout, gate, dh, dgate);
        return bt;
    }

    static void checkAttentionBackward(INDArray q, INDArray k, INDArray v, INDArray probs, INDArray dout, INDArray dq,
                                       INDArray dk, INDArray dv) {
        KernelArgs.attention(q, k, v, probs, dout);
        KernelArgs.sameLength("dq", dq, q, "q");
        KernelArgs.sameLength("dk", dk, k, "k");
        KernelArgs.sameLength("dv", dv, v, "v");
        KernelArgs.sameType(q, k, v, probs, dout, dq, dk, dv);
    }

    // ---------------- helpers ----------------

    /** x read as [length / cols, cols] in C order (a view when x is dense, else a copy: inputs only). */
    private static INDArray rows(INDArray x, long cols) {
        return x.reshape('c', x.length() / cols, cols);
    }

    private static INDArray asDouble(INDArray a) {
        return a.dataType() == DataType.DOUBLE ? a : a.castTo(DataType.DOUBLE);
    }

    /** target = value, element for element in C order, converting the type. */
    private static void write(INDArray target, INDArray value) {
        INDArray v = value.dataType() == target.dataType() ? value : value.castTo(target.dataType());
        target.assign(v.reshape('c', target.shape()));
    }

    /** target += value. */
    private static void accumulate(INDArray target, INDArray value) {
        INDArray v = value.dataType() == target.dataType() ? value : value.castTo(target.dataType());
        target.addi(v.reshape('c', target.shape()));
    }

    // ---------------- norms ----------------

    @Override
    public void layerNorm(INDArray x, INDArray gamma, INDArray beta, double eps, INDArray y, INDArray mean,
                          INDArray rstd) {
        long d = checkLayerNorm(x, gamma, beta, y, mean, rstd);
        INDArray xd = asDouble(rows(x, d));
        INDArray mu = xd.mean(true, 1);
        INDArray xc = xd.sub(mu);
        INDArray rs = Transforms.sqrt(xc.mul(xc).mean(true, 1).addi(eps), false).rdivi(1.0);
        INDArray out = xc.mul(rs);
        if (gamma != null) {
            out = out.mul(asDouble(gamma.reshape('c', 1, d)));
        }
        if (beta != null) {
            out = out.add(asDouble(beta.reshape('c', 1, d)));
        }
        write(y, out);
        if (mean != null) {
            write(mean, mu);
        }
        if (rstd != null) {
            write(rstd, rs);
        }
    }

    @Override
    public void layerNormBackward(INDArray dy, INDArray x, INDArray gamma, INDArray mean, INDArray rstd, INDArray dx,
                                  INDArray dgamma, INDArray dbeta) {
        long d = checkLayerNormBackward(dy, x, gamma, mean, rstd, dx, dgamma, dbeta);
        long n = x.length() / d;
        INDArray g0 = asDouble(rows(dy, d));
        INDArray rs = asDouble(rstd.reshape('c', n, 1));
        INDArray xhat = asDouble(rows(x, d)).sub(asDouble(mean.reshape('c', n, 1))).muli(rs);
        INDArray g = gamma == null ? g0 : g0.mul(asDouble(gamma.reshape('c', 1, d)));
        INDArray c1 = g.mean(true, 1);
        INDArray c2 = g.mul(xhat).mean(true, 1);
        INDArray result = g.sub(c1).subi(xhat.mul(c2)).muli(rs);
        INDArray sumDyX = dgamma == null ? null : g0.mul(xhat).sum(0);
        INDArray sumDy = dbeta == null ? null : g0.sum(0);
        write(dx, result);
        if (dgamma != null) {
            accumulate(dgamma, sumDyX);
        }
        if (dbeta != null) {
            accumulate(dbeta, sumDy);
        }
    }

    /** x as double [B, G, (C/G) * S]. */
    private static INDArray grouped(INDArray x, int groups) {
        long b = x.size(0);
        return asDouble(x.reshape('c', b, groups, x.length() / (b * groups)));
    }

    /** A per-channel vector as double [1, C, 1], to broadcast over [B, C, S]. */
    private static INDArray perChannel(INDArray v) {
        return asDouble(v.reshape('c', 1, v.length(), 1));
    }

    @Override
    public void groupNorm(INDArray x, int groups, INDArray gamma, INDArray beta, double eps, INDArray y, INDArray mean,
                          INDArray rstd) {
        checkGroupNorm(x, groups, gamma, beta, y, mean, rstd);
        long b = x.size(0);
        long c = x.size(1);
        INDArray xg = grouped(x, groups);
        INDArray mu = xg.mean(true, 2);
        INDArray xc = xg.sub(mu);
        INDArray rs = Transforms.sqrt(xc.mul(xc).mean(true, 2).addi(eps), false).rdivi(1.0);
        INDArray out = xc.mul(rs).reshape('c', b, c, x.length() / (b * c));
        if (gamma != null) {
            out = out.mul(perChannel(gamma));
        }
        if (beta != null) {
            out = out.add(perChannel(beta));
        }
        write(y, out);
        if (mean != null) {
            write(mean, mu);
        }
        if (rstd != null) {
            write(rstd, rs);
        }
    }

    @Override
    public void groupNormBackward(INDArray dy, INDArray x, int groups, INDArray gamma, INDArray mean, INDArray rstd,
                                  INDArray dx, INDArray dgamma, INDArray dbeta) {
        checkGroupNormBackward(dy, x, groups, gamma, mean, rstd, dx, dgamma, dbeta);
        long b = x.size(0);
        long c = x.size(1);
        long s = x.length() / (b * c);
        long m = x.length() / (b * groups);
        INDArray rs = asDouble(rstd.reshape('c', b, groups, 1));
        INDArray xhat = grouped(x, groups).sub(asDouble(mean.reshape('c', b, groups, 1))).muli(rs);
        INDArray dy3 = asDouble(dy.reshape('c', b, c, s));
        INDArray g = (gamma == null ? dy3 : dy3.mul(perChannel(gamma))).reshape('c', b, groups, m);
        INDArray c1 = g.mean(true, 2);
        INDArray c2 = g.mul(xhat).mean(true, 2);
        INDArray result = g.sub(c1).subi(xhat.mul(c2)).muli(rs);
        INDArray sumDyX = dgamma == null ? null : dy3.mul(xhat.reshape('c', b, c, s)).sum(0, 2);
        INDArray sumDy = dbeta == null ? null : dy3.sum(0, 2);
        write(dx, result);
        if (dgamma != null) {
            accumulate(dgamma, sumDyX);
        }
        if (dbeta != null) {
            accumulate(dbeta, sumDy);
        }
    }

    // ---------------- softmax ----------------

    /** softmax(scale * x) over the last dimension of a rank-2 or rank-3 array, as a new array. */
    private static INDArray softmaxLast(INDArray x, double scale) {
        int last = x.rank() - 1;
        INDArray shifted = x.sub(x.max(true, last));
        if (scale != 1) {
            shifted.muli(scale);
        }
        INDArray e = Transforms.exp(shifted, false);
        return e.divi(e.sum(true, last));
    }

    @Override
    public void softmax(INDArray x, INDArray y) {
        checkSame(x, "y", y);
        write(y, softmaxLast(rows(x, x.size(-1)), 1));
    }

    /** scale * y * (dy - rowsum(dy * y)) over the last dimension, as a new array. */
    private static INDArray softmaxBackwardLast(INDArray y, INDArray dy, double scale) {
        int last = y.rank() - 1;
        INDArray dot = dy.mul(y).sum(true, last);
        INDArray out = dy.sub(dot).muli(y);
        return scale == 1 ? out : out.muli(scale);
    }

    @Override
    public void softmaxBackward(INDArray y, INDArray dy, INDArray dx) {
        checkSame(y, "dy", dy, "dx", dx);
        long l = y.size(-1);
        write(dx, softmaxBackwardLast(rows(y, l), rows(dy, l), 1));
    }

    // ---------------- activations ----------------

    /** sigmoid(2u) with u = sqrt(2/pi) (x + 0.044715 x^3): (1 + tanh u) / 2 without its cancellation. */
    private static INDArray geluTanhGate(INDArray x) {
        INDArray twoU = x.mul(x).muli(x).muli(GELU_A).addi(x).muli(2 * GELU_C);
        return Transforms.sigmoid(twoU, false);
    }

    /** Phi(x) = erfc(-x / sqrt2) / 2. */
    private static INDArray normalCdf(INDArray x) {
        INDArray e = Nd4j.getExecutioner().exec(new Erfc(x.mul(-INV_SQRT2)));
        return e.muli(0.5);
    }

    @Override
    public void gelu(INDArray x, INDArray y, boolean tanh) {
        checkSame(x, "y", y);
        INDArray out = (tanh ? geluTanhGate(x) : normalCdf(x)).muli(x);
        write(y, out);
    }

    @Override
    public void geluBackward(INDArray x, INDArray dy, INDArray dx, boolean tanh) {
        checkSame(x, "dy", dy, "dx", dx);
        INDArray grad;
        if (tanh) {
            // d/dx x s(2u) = s + x s (1 - s) (2u)', (2u)' = 2c (1 + 3 a x^2)
            INDArray s = geluTanhGate(x);
            INDArray du = x.mul(x).muli(3 * GELU_A).addi(1).muli(2 * GELU_C);
            grad = s.rsub(1).muli(s).muli(du).muli(x).addi(s);
        } else {
            // Phi(x) + x phi(x)
            INDArray pdf = Transforms.exp(x.mul(x).muli(-0.5), false).muli(INV_SQRT_2PI);
            grad = normalCdf(x).addi(pdf.muli(x));
        }
        write(dx, grad.muli(dy));
    }

    @Override
    public void silu(INDArray x, INDArray y) {
        checkSame(x, "y", y);
        write(y, Transforms.sigmoid(x, true).muli(x));
    }

    @Override
    public void siluBackward(INDArray x, INDArray dy, INDArray dx) {
        checkSame(x, "dy", dy, "dx", dx);
        // s (1 + x (1 - s))
        INDArray s = Transforms.sigmoid(x, true);
        INDArray grad = s.rsub(1).muli(x).addi(1).muli(s);
        write(dx, grad.muli(dy));
    }

    // ---------------- adaLN ----------------

    /** x as [B, T, D]. */
    private static INDArray tokens(INDArray x, long[] bt) {
        return x.reshape('c', bt[0], bt[1], x.size(-1));
    }

    /** A per-sample parameter as [B, 1, D], to broadcast over tokens. */
    private static INDArray perSample(INDArray p, long[] bt, long d) {
        return p.reshape('c', bt[0], 1, d);
    }

    @Override
    public void modulate(INDArray x, INDArray shift, INDArray scale, INDArray y) {
        long[] bt = checkModulate(x, shift, scale, y);
        long d = x.size(-1);
        INDArray out = tokens(x, bt).mul(perSample(scale, bt, d).add(1)).addi(perSample(shift, bt, d));
        write(y, out);
    }

    @Override
    public void modulateBackward(INDArray dy, INDArray x, INDArray scale, INDArray dx, INDArray dshift,
                                 INDArray dscale) {
        long[] bt = checkModulateBackward(dy, x, scale, dx, dshift, dscale);
        long d = x.size(-1);
        INDArray dy3 = tokens(dy, bt);
        INDArray sumDy = dshift == null ? null : asDouble(dy3).sum(1);
        INDArray sumDyX = dscale == null ? null : asDouble(dy3).mul(asDouble(tokens(x, bt))).sum(1);
        INDArray grad = dy3.mul(perSample(scale, bt, d).add(1));
        write(dx, grad);
        if (dshift != null) {
            write(dshift, sumDy);
        }
        if (dscale != null) {
            write(dscale, sumDyX);
        }
    }

    @Override
    public void gatedResidual(INDArray x, INDArray h, INDArray gate, INDArray out) {
        long[] bt = checkGatedResidual(x, h, gate, out);
        long d = x.size(-1);
        write(out, tokens(h, bt).mul(perSample(gate, bt, d)).addi(tokens(x, bt)));
    }

    @Override
    public void gatedResidualBackward(INDArray dout, INDArray h, INDArray gate, INDArray dh, INDArray dgate) {
        long[] bt = checkGatedResidualBackward(dout, h, gate, dh, dgate);
        long d = h.size(-1);
        INDArray g3 = tokens(dout, bt);
        INDArray sum = dgate == null ? null : asDouble(g3).mul(asDouble(tokens(h, bt))).sum(1);
        write(dh, g3.mul(perSample(gate, bt, d)));
        if (dgate != null) {
            write(dgate, sum);
        }
    }

    // ---------------- RoPE ----------------

    @Override
    public void rope(INDArray x, INDArray sin, INDArray cos, int prefix, boolean inverse, INDArray y) {
        long[] dims = KernelArgs.rope(x, sin, cos, prefix, y);
        KernelArgs.sameType(x, sin, cos, y);
        long t = dims[1];
        long dh = dims[2];
        long half = dh / 2;
        INDArray x3 = x.reshape('c', dims[0], t, dh);
        INDArray result = x3.dup('c');
        if (t > prefix) {
            INDArray c = cos.reshape('c', t - prefix, dh);
            INDArray s = sin.reshape('c', t - prefix, dh);
            if (inverse) {
                s = s.neg();
            }
            INDArrayIndex rotated = NDArrayIndex.interval(prefix, t);
            INDArrayIndex lo = NDArrayIndex.interval(0, half);
            INDArrayIndex hi = NDArrayIndex.interval(half, dh);
            INDArrayIndex all = NDArrayIndex.all();
            INDArray x1 = x3.get(all, rotated, lo);
            INDArray x2 = x3.get(all, rotated, hi);
            INDArray y1 = x1.mul(c.get(all, lo)).subi(x2.mul(s.get(all, lo)));
            INDArray y2 = x2.mul(c.get(all, hi)).addi(x1.mul(s.get(all, hi)));
            result.get(all, rotated, lo).assign(y1);
            result.get(all, rotated, hi).assign(y2);
        }
        write(y, result);
    }

    // ---------------- attention ----------------

    @Override
    public void attention(INDArray q, INDArray k, INDArray v, double scale, INDArray probs, INDArray out) {
        KernelArgs.attention(q, k, v, probs, out);
        KernelArgs.sameType(q, k, v, probs, out);
        INDArray p = softmaxLast(Nd4j.matmul(q, k, false, true, false), scale);
        INDArray o = Nd4j.matmul(p, v);
        probs.assign(p.permute(0, 2, 1));
        long heads = q.size(0) / out.size(0);
        if (heads == 1) {
            write(out, o);
        } else {
            long e = v.size(2);
            out.reshape('c', out.size(0), out.size(1), heads, e)
                    .assign(o.reshape('c', out.size(0), heads, out.size(1), e).permute(0, 2, 1, 3));
        }
    }

    /** An attention output or its gradient in the head-major {@code [BH, T, e]} layout (a copy if token-major). */
    static INDArray headMajor(INDArray a, long bh) {
        long heads = bh / a.size(0);
        if (heads == 1) {
            return a;
        }
        long e = a.size(2) / heads;
        return a.reshape('c', a.size(0), a.size(1), heads, e).permute(0, 2, 1, 3).dup('c').reshape('c', bh, a.size(1), e);
    }

    @Override
    public void attentionBackward(INDArray q, INDArray k, INDArray v, INDArray probs, double scale, INDArray dout,
                                  INDArray dq, INDArray dk, INDArray dv) {
        checkAttentionBackward(q, k, v, probs, dout, dq, dk, dv);
        INDArray p = probs.permute(0, 2, 1).dup('c');
        INDArray g = headMajor(dout, q.size(0));
        INDArray gv = Nd4j.matmul(p, g, true, false, false);
        INDArray dp = Nd4j.matmul(g, v, false, true, false);
        INDArray ds = softmaxBackwardLast(p, dp, scale);
        INDArray gq = Nd4j.matmul(ds, k);
        INDArray gk = Nd4j.matmul(ds, q, true, false, false);
        write(dq, gq);
        write(dk, gk);
        write(dv, gv);
    }

    @Override
    public void linear(INDArray x, INDArray w, INDArray b, INDArray y) {
        KernelArgs.linear(x, w, b, y);
        KernelArgs.sameType(x, w, b, y);
        Nd4j.gemm(x, w, y, false, true, 1.0, 0.0);
        if (b != null) {
            y.addiRowVector(b.reshape(b.length()));
        }
    }

    @Override
    public void linearBackward(INDArray dy, INDArray x, INDArray w, INDArray dx, INDArray dw, INDArray db) {
        checkLinearBackward(dy, x, w, dx, dw, db);
        if (dw != null) {
            Nd4j.gemm(dy, x, dw, true, false, 1.0, 1.0);
        }
        if (db != null) {
            accumulate(db, dy.sum(0));
        }
        if (dx != null) {
            Nd4j.gemm(dy, w, dx, false, false, 1.0, 0.0);
        }
    }

    static void checkLinearBackward(INDArray dy, INDArray x, INDArray w, INDArray dx, INDArray dw, INDArray db) {
        KernelArgs.linear(x, w, db, dy);
        KernelArgs.sameType(dy, x, w, dx, dw, db);
        if (dx != null && !java.util.Arrays.equals(dx.shape(), x.shape())) {
            throw new IllegalArgumentException("linear dx " + KernelArgs.shape(dx) + " must be shaped as x "
                    + KernelArgs.shape(x));
        }
        if (dw != null && !java.util.Arrays.equals(dw.shape(), w.shape())) {
            throw new IllegalArgumentException("linear dw " + KernelArgs.shape(dw) + " must be shaped as w "
                    + KernelArgs.shape(w));
        }
    }

    @Override
    public void modulatedLayerNorm(INDArray x, double eps, INDArray shift, INDArray scale, INDArray y, INDArray mean,
                                   INDArray rstd) {
        checkModulatedLayerNorm(x, shift, scale, y, mean, rstd);
        layerNorm(rows(x, x.size(-1)), null, null, eps, rows(y, x.size(-1)), mean, rstd);
        modulate(y, shift, scale, y);
    }

    @Override
    public void modulatedLayerNormBackward(INDArray dy, INDArray x, INDArray mean, INDArray rstd, INDArray scale,
                                           INDArray residual, INDArray dx, INDArray dshift, INDArray dscale) {
        checkModulatedLayerNormBackward(dy, x, mean, rstd, scale, residual, dx, dshift, dscale);
        long d = x.size(-1);
        INDArray n = rows(x, d).castTo(DataType.DOUBLE).subColumnVector(asDouble(mean).reshape(mean.length(), 1))
                .muliColumnVector(asDouble(rstd).reshape(rstd.length(), 1)).castTo(x.dataType());
        INDArray g = dy.ulike();
        modulateBackward(dy, n, scale, g, dshift, dscale);
        INDArray before = residual == null ? null : residual.dup();
        layerNormBackward(rows(g, d), rows(x, d), null, mean, rstd, rows(dx, d), null, null);
        if (before != null) {
            dx.addi(before.reshape(dx.shape()));
        }
    }

    static long[] checkModulatedLayerNorm(INDArray x, INDArray shift, INDArray scale, INDArray y, INDArray mean,
                                          INDArray rstd) {
        long[] bt = checkModulate(x, shift, scale, y);
        KernelArgs.lengthIs("mean", mean, bt[0] * bt[1], false);
        KernelArgs.lengthIs("rstd", rstd, bt[0] * bt[1], false);
        KernelArgs.sameType(x, mean, rstd);
        return bt;
    }

    static long[] checkModulatedLayerNormBackward(INDArray dy, INDArray x, INDArray mean, INDArray rstd,
                                                  INDArray scale, INDArray residual, INDArray dx, INDArray dshift,
                                                  INDArray dscale) {
        long[] bt = checkModulateBackward(dy, x, scale, dx, dshift, dscale);
        KernelArgs.lengthIs("mean", mean, bt[0] * bt[1], false);
        KernelArgs.lengthIs("rstd", rstd, bt[0] * bt[1], false);
        if (residual != null) {
            KernelArgs.sameLength("residual", residual, x, "x");
        }
        KernelArgs.sameType(x, mean, rstd, residual);
        return bt;
    }

    @Override
    public void splitHeads(INDArray x, double eps, INDArray qGamma, INDArray qBeta, INDArray kGamma, INDArray kBeta,
                           INDArray q, INDArray k, INDArray v, INDArray stats) {
        int[] s = KernelArgs.heads(x, q, k, v, qGamma, qBeta, kGamma, kBeta, stats, true);
        KernelArgs.sameType(x, q, k, v, qGamma, qBeta, kGamma, kBeta, stats);
        INDArray[] parts = {q, k, v};
        for (int part = 0; part < 3; part++) {
            parts[part].assign(tokenPart(x, s, part).permute(0, 2, 1, 3));
        }
        if (qGamma != null) {
            long n = (long) s[0] * s[1] * s[2];
            INDArray st = stats.reshape('c', 4, n);
            layerNorm(rows(q, s[3]), qGamma, qBeta, eps, q.reshape('c', n, s[3]), st.getRow(0), st.getRow(1));
            layerNorm(rows(k, s[3]), kGamma, kBeta, eps, k.reshape('c', n, s[3]), st.getRow(2), st.getRow(3));
        }
    }

    @Override
    public void splitHeadsBackward(INDArray dq, INDArray dk, INDArray dv, INDArray x, INDArray qGamma,
                                   INDArray kGamma, INDArray stats, INDArray dx, INDArray dqGamma, INDArray dqBeta,
                                   INDArray dkGamma, INDArray dkBeta) {
        int[] s = checkSplitHeadsBackward(dq, dk, dv, x, qGamma, kGamma, stats, dx, dqGamma, dqBeta, dkGamma, dkBeta);
        long n = (long) s[0] * s[1] * s[2];
        INDArray[] grads = {dq, dk, dv};
        INDArray[][] paramGrads = {{dqGamma, dqBeta}, {dkGamma, dkBeta}};
        INDArray[] gammas = {qGamma, kGamma};
        for (int part = 0; part < 3; part++) {
            INDArray g = grads[part];
            if (qGamma != null && part < 2) {
                INDArray st = stats.reshape('c', 4, n);
                INDArray pre = tokenPart(x, s, part).permute(0, 2, 1, 3).dup('c').reshape('c', n, s[3]);
                INDArray back = Nd4j.create(g.dataType(), n, s[3]);
                layerNormBackward(rows(g, s[3]), pre, gammas[part], st.getRow(2L * part), st.getRow(2L * part + 1), back,
                        paramGrads[part][0], paramGrads[part][1]);
                g = back.reshape('c', s[0], s[2], s[1], s[3]);
            }
            tokenPart(dx, s, part).assign(g.permute(0, 2, 1, 3));
        }
    }

    static int[] checkSplitHeadsBackward(INDArray dq, INDArray dk, INDArray dv, INDArray x, INDArray qGamma,
                                         INDArray kGamma, INDArray stats, INDArray dx, INDArray dqGamma,
                                         INDArray dqBeta, INDArray dkGamma, INDArray dkBeta) {
        int[] s = KernelArgs.heads(x, dq, dk, dv, qGamma, null, kGamma, null, stats, false);
        KernelArgs.sameLength("dx", dx, x, "x");
        KernelArgs.sameType(dq, dk, dv, x, qGamma, kGamma, stats, dx, dqGamma, dqBeta, dkGamma, dkBeta);
        return s;
    }

    /** Part {@code part} (0 q, 1 k, 2 v) of a token-major {@code [B, T, 3*H*dh]} array, as a {@code [B, T, H, dh]} view. */
    private static INDArray tokenPart(INDArray x, int[] s, int part) {
        INDArrayIndex all = NDArrayIndex.all();
        return x.reshape('c', s[0], s[1], 3, s[2], s[3]).get(all, all, NDArrayIndex.point(part), all, all);
    }
}
