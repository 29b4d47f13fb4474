package org.svgjava.core.kernels;

import java.util.concurrent.atomic.AtomicBoolean;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The CPU-backend kernels: fused, multi-threaded loops over the arrays' native memory (see {@link Buf}), with
 * per-thread scratch reused across calls. FLOAT uses vectorisable float loops with a fast exp (relative error
 * below 1e-7) and double statistics; DOUBLE uses {@link Math} functions throughout, so gradient checks see
 * exact derivatives.
 *
 * <p>Arrays that are not dense C-order (a transpose, a strided slice), of another data type, or too large for an
 * int-indexed NIO buffer are handed to {@link PortableKernels} for that call, so a layout mistake costs speed,
 * never correctness.
 */
public final class CpuKernels implements Kernels {
    private static final Logger log = LoggerFactory.getLogger(CpuKernels.class);

    private final PortableKernels portable = new PortableKernels();
    private final AtomicBoolean fallbackLogged = new AtomicBoolean();

    /** Whether a FLOAT/DOUBLE call over these arrays can take the fast path. */
    private boolean fast(String method, INDArray first, INDArray... others) {
        DataType type = first.dataType();
        boolean ok = (type == DataType.FLOAT || type == DataType.DOUBLE) && CpuMemory.usable(type, first)
                && CpuMemory.usable(type, others);
        if (!ok && fallbackLogged.compareAndSet(false, true)) {
            INDArray culprit = first;
            for (INDArray a : others) {
                if (a != null && !CpuMemory.usable(type, a)) {
                    culprit = a;
                    break;
                }
            }
            log.info("{}: an array that is not dense C-order FLOAT/DOUBLE ({} {}, strides {}) sends the call to the "
                    + "portable kernels (slower); further cases are not logged", method, culprit.dataType(),
                    KernelArgs.shape(culprit), java.util.Arrays.toString(culprit.stride()));
        }
        return ok;
    }

    private CpuElementwise.Param param(INDArray p, DataType type, long batch, long d) {
        long stride = CpuMemory.rowStride(p, type, batch, d);
        return stride < 0 ? null : new CpuElementwise.Param(Buf.of(p), stride);
    }

    @Override
    public void layerNorm(INDArray x, INDArray gamma, INDArray beta, double eps, INDArray y, INDArray mean,
                          INDArray rstd) {
        PortableKernels.checkLayerNorm(x, gamma, beta, y, mean, rstd);
        if (!fast("layerNorm", x, gamma, beta, y, mean, rstd)) {
            portable.layerNorm(x, gamma, beta, eps, y, mean, rstd);
            return;
        }
        CpuNorms.layerNorm(x, gamma, beta, eps, y, mean, rstd);
    }

    @Override
    public void layerNormBackward(INDArray dy, INDArray x, INDArray gamma, INDArray mean, INDArray rstd, INDArray dx,
                                  INDArray dgamma, INDArray dbeta) {
        PortableKernels.checkLayerNormBackward(dy, x, gamma, mean, rstd, dx, dgamma, dbeta);
        if (!fast("layerNormBackward", x, dy, gamma, mean, rstd, dx, dgamma, dbeta)) {
            portable.layerNormBackward(dy, x, gamma, mean, rstd, dx, dgamma, dbeta);
            return;
        }
        CpuNorms.layerNormBackward(dy, x, gamma, mean, rstd, dx, dgamma, dbeta);
    }

    @Override
    public void groupNorm(INDArray x, int groups, INDArray gamma, INDArray beta, double eps, INDArray y, INDArray mean,
                          INDArray rstd) {
        PortableKernels.checkGroupNorm(x, groups, gamma, beta, y, mean, rstd);
        if (!fast("groupNorm", x, gamma, beta, y, mean, rstd)) {
            portable.groupNorm(x, groups, gamma, beta, eps, y, mean, rstd);
            return;
        }
        CpuNorms.groupNorm(x, groups, gamma, beta, eps, y, mean, rstd);
    }

    @Override
    public void groupNormBackward(INDArray dy, INDArray x, int groups, INDArray gamma, INDArray mean, INDArray rstd,
                                  INDArray dx, INDArray dgamma, INDArray dbeta) {
        PortableKernels.checkGroupNormBackward(dy, x, groups, gamma, mean, rstd, dx, dgamma, dbeta);
        if (!fast("groupNormBackward", x, dy, gamma, mean, rstd, dx, dgamma, dbeta)) {
            portable.groupNormBackward(dy, x, groups, gamma, mean, rstd, dx, dgamma, dbeta);
            return;
        }
        CpuNorms.groupNormBackward(dy, x, groups, gamma, mean, rstd, dx, dgamma, dbeta);
    }

    @Override
    public void softmax(INDArray x, INDArray y) {
        PortableKernels.checkSame(x, "y", y);
        if (!fast("softmax", x, y)) {
            portable.softmax(x, y);
            return;
        }
        CpuActivations.softmax(x, y);
    }

    @Override
    public void softmaxBackward(INDArray y, INDArray dy, INDArray dx) {
        PortableKernels.checkSame(y, "dy", dy, "dx", dx);
        if (!fast("softmaxBackward", y, dy, dx)) {
            portable.softmaxBackward(y, dy, dx);
            return;
        }
        CpuActivations.softmaxBackward(y, dy, dx);
    }

    @Override
    public void gelu(INDArray x, INDArray y, boolean tanh) {
        PortableKernels.checkSame(x, "y", y);
        if (!fast("gelu", x, y)) {
            portable.gelu(x, y, tanh);
            return;
        }
        CpuActivations.gelu(x, y, tanh);
    }

    @Override
    public void geluBackward(INDArray x, INDArray dy, INDArray dx, boolean tanh) {
        PortableKernels.checkSame(x, "dy", dy, "dx", dx);
        if (!fast("geluBackward", x, dy, dx)) {
            portable.geluBackward(x, dy, dx, tanh);
            return;
        }
        CpuActivations.geluBackward(x, dy, dx, tanh);
    }

    @Override
    public void geluBackward(INDArray x, INDArray dy, INDArray dx, boolean tanh, INDArray dxColumnSums) {
        PortableKernels.checkSame(x, "dy", dy, "dx", dx);
        if (x.dataType() != DataType.FLOAT || dxColumnSums.dataType() != DataType.FLOAT
                || dxColumnSums.length() != x.size(-1) || !fast("geluBackward", x, dy, dx, dxColumnSums)) {
            Kernels.super.geluBackward(x, dy, dx, tanh, dxColumnSums);
            return;
        }
        CpuActivations.geluBackward(x, dy, dx, tanh, dxColumnSums);
    }

    @Override
    public void silu(INDArray x, INDArray y) {
        PortableKernels.checkSame(x, "y", y);
        if (!fast("silu", x, y)) {
            portable.silu(x, y);
            return;
        }
        CpuActivations.silu(x, y);
    }

    @Override
    public void siluBackward(INDArray x, INDArray dy, INDArray dx) {
        PortableKernels.checkSame(x, "dy", dy, "dx", dx);
        if (!fast("siluBackward", x, dy, dx)) {
            portable.siluBackward(x, dy, dx);
            return;
        }
        CpuActivations.siluBackward(x, dy, dx);
    }

    @Override
    public void modulate(INDArray x, INDArray shift, INDArray scale, INDArray y) {
        long[] bt = PortableKernels.checkModulate(x, shift, scale, y);
        long d = x.size(-1);
        DataType type = x.dataType();
        CpuElementwise.Param sh = fast("modulate", x, y) ? param(shift, type, bt[0], d) : null;
        CpuElementwise.Param sc = sh != null ? param(scale, type, bt[0], d) : null;
        if (sc == null) {
            portable.modulate(x, shift, scale, y);
            return;
        }
        CpuElementwise.modulate(Buf.of(x), sh, sc, Buf.of(y), (int) bt[0], (int) bt[1], (int) d);
    }

    @Override
    public void modulatedLayerNorm(INDArray x, double eps, INDArray shift, INDArray scale, INDArray y, INDArray mean,
                                   INDArray rstd) {
        long[] bt = PortableKernels.checkModulatedLayerNorm(x, shift, scale, y, mean, rstd);
        long d = x.size(-1);
        DataType type = x.dataType();
        boolean ok = type == DataType.FLOAT && fast("modulatedLayerNorm", x, y, mean, rstd);
        CpuElementwise.Param sh = ok ? param(shift, type, bt[0], d) : null;
        CpuElementwise.Param sc = sh != null ? param(scale, type, bt[0], d) : null;
        if (sc == null) {
            portable.modulatedLayerNorm(x, eps, shift, scale, y, mean, rstd);
            return;
        }
        CpuNorms.modulatedLayerNorm(Buf.of(x), eps, sh, sc, Buf.of(y), Buf.of(mean), Buf.of(rstd), (int) bt[0],
                (int) bt[1], (int) d);
    }

    @Override
    public void modulatedLayerNormBackward(INDArray dy, INDArray x, INDArray mean, INDArray rstd, INDArray scale,
                                           INDArray residual, INDArray dx, INDArray dshift, INDArray dscale) {
        long[] bt = PortableKernels.checkModulatedLayerNormBackward(dy, x, mean, rstd, scale, residual, dx, dshift,
                dscale);
        long d = x.size(-1);
        DataType type = x.dataType();
        boolean ok = type == DataType.FLOAT && fast("modulatedLayerNormBackward", dy, x, mean, rstd, residual, dx,
                dshift, dscale);
        CpuElementwise.Param sc = ok ? param(scale, type, bt[0], d) : null;
        if (sc == null) {
            portable.modulatedLayerNormBackward(dy, x, mean, rstd, scale, residual, dx, dshift, dscale);
            return;
        }
        CpuNorms.modulatedLayerNormBackward(Buf.of(dy), Buf.of(x), Buf.of(mean), Buf.of(rstd), sc, Buf.of(residual),
                Buf.of(dx), Buf.of(dshift), Buf.of(dscale), (int) bt[0], (int) bt[1], (int) d);
    }

    @Override
    public void modulateBackward(INDArray dy, INDArray x, INDArray scale, INDArray dx, INDArray dshift,
                                 INDArray dscale) {
        long[] bt = PortableKernels.checkModulateBackward(dy, x, scale, dx, dshift, dscale);
        long d = x.size(-1);
        DataType type = x.dataType();
        boolean ok = fast("modulateBackward", x, dy, dx);
        CpuElementwise.Param sc = ok ? param(scale, type, bt[0], d) : null;
        CpuElementwise.Param dsh = ok && dshift != null ? param(dshift, type, bt[0], d) : null;
        CpuElementwise.Param dsc = ok && dscale != null ? param(dscale, type, bt[0], d) : null;
        if (sc == null || (dshift != null && dsh == null) || (dscale != null && dsc == null)) {
            portable.modulateBackward(dy, x, scale, dx, dshift, dscale);
            return;
        }
        CpuElementwise.modulateBackward(Buf.of(dy), Buf.of(x), sc, Buf.of(dx), dsh, dsc, (int) bt[0], (int) bt[1],
                (int) d);
    }

    @Override
    public void gatedResidualModulatedLayerNorm(INDArray x, INDArray h, INDArray gate, INDArray out, double eps,
                                                INDArray shift, INDArray scale, INDArray y, INDArray mean,
                                                INDArray rstd) {
        long[] bt = PortableKernels.checkGatedResidual(x, h, gate, out);
        PortableKernels.checkModulatedLayerNorm(out, shift, scale, y, mean, rstd);
        long d = x.size(-1);
        DataType type = x.dataType();
        boolean ok = type == DataType.FLOAT && fast("gatedResidualModulatedLayerNorm", x, h, out, y, mean, rstd);
        CpuElementwise.Param g = ok ? param(gate, type, bt[0], d) : null;
        CpuElementwise.Param sh = g != null ? param(shift, type, bt[0], d) : null;
        CpuElementwise.Param sc = sh != null ? param(scale, type, bt[0], d) : null;
        if (sc == null) {
            Kernels.super.gatedResidualModulatedLayerNorm(x, h, gate, out, eps, shift, scale, y, mean, rstd);
            return;
        }
        CpuNorms.modulatedLayerNorm(Buf.of(x), Buf.of(h), g, Buf.of(out), eps, sh, sc, Buf.of(y), Buf.of(mean),
                Buf.of(rstd), (int) bt[0], (int) bt[1], (int) d);
    }

    @Override
    public void gatedResidualModulatedLayerNormBackward(INDArray dy, INDArray x, INDArray mean, INDArray rstd,
                                                        INDArray scale, INDArray residual, INDArray dx,
                                                        INDArray dshift, INDArray dscale, INDArray h, INDArray gate,
                                                        INDArray dh, INDArray dgate) {
        long[] bt = PortableKernels.checkModulatedLayerNormBackward(dy, x, mean, rstd, scale, residual, dx, dshift,
                dscale);
        PortableKernels.checkGatedResidualBackward(dx, h, gate, dh, dgate);
        long d = x.size(-1);
        DataType type = x.dataType();
        boolean ok = type == DataType.FLOAT && fast("gatedResidualModulatedLayerNormBackward", dy, x, mean, rstd,
                residual, dx, dshift, dscale, h, dh);
        CpuElementwise.Param sc = ok ? param(scale, type, bt[0], d) : null;
        CpuElementwise.Param g = sc != null ? param(gate, type, bt[0], d) : null;
        CpuElementwise.Param dg = g != null && dgate != null ? param(dgate, type, bt[0], d) : null;
        if (g == null || (dgate != null && dg == null)) {
            Kernels.super.gatedResidualModulatedLayerNormBackward(dy, x, mean, rstd, scale, residual, dx, dshift,
                    dscale, h, gate, dh, dgate);
            return;
        }
        CpuNorms.modulatedLayerNormBackward(Buf.of(dy), Buf.of(x), Buf.of(mean), Buf.of(rstd), sc, Buf.of(residual),
                Buf.of(dx), Buf.of(dshift), Buf.of(dscale), Buf.of(h), g, Buf.of(dh), dg, (int) bt[0], (int) bt[1],
                (int) d);
    }

    @Override
    public void gatedResidual(INDArray x, INDArray h, INDArray gate, INDArray out) {
        long[] bt = PortableKernels.checkGatedResidual(x, h, gate, out);
        long d = x.size(-1);
        CpuElementwise.Param g = fast("gatedResidual", x, h, out) ? param(gate, x.dataType(), bt[0], d) : null;
        if (g == null) {
            portable.gatedResidual(x, h, gate, out);
            return;
        }
        CpuElementwise.gatedResidual(Buf.of(x), Buf.of(h), g, Buf.of(out), (int) bt[0], (int) bt[1], (int) d);
    }

    @Override
    public void gatedResidualBackward(INDArray dout, INDArray h, INDArray gate, INDArray dh, INDArray dgate) {
        long[] bt = PortableKernels.checkGatedResidualBackward(dout, h, gate, dh, dgate);
        long d = h.size(-1);
        DataType type = h.dataType();
        boolean ok = fast("gatedResidualBackward", h, dout, dh);
        CpuElementwise.Param g = ok ? param(gate, type, bt[0], d) : null;
        CpuElementwise.Param dg = ok && dgate != null ? param(dgate, type, bt[0], d) : null;
        if (g == null || (dgate != null && dg == null)) {
            portable.gatedResidualBackward(dout, h, gate, dh, dgate);
            return;
        }
        CpuElementwise.gatedResidualBackward(Buf.of(dout), Buf.of(h), g, Buf.of(dh), dg, (int) bt[0], (int) bt[1],
                (int) d);
    }

    @Override
    public void rope(INDArray x, INDArray sin, INDArray cos, int prefix, boolean inverse, INDArray y) {
        long[] dims = KernelArgs.rope(x, sin, cos, prefix, y);
        KernelArgs.sameType(x, sin, cos, y);
        if (!fast("rope", x, sin, cos, y)) {
            portable.rope(x, sin, cos, prefix, inverse, y);
            return;
        }
        CpuElementwise.rope(Buf.of(x), Buf.of(sin), Buf.of(cos), prefix, inverse, Buf.of(y), (int) dims[0],
                (int) dims[1], (int) dims[2]);
    }

    @Override
    public void attention(INDArray q, INDArray k, INDArray v, double scale, INDArray probs, INDArray out) {
        KernelArgs.attention(q, k, v, probs, out);
        KernelArgs.sameType(q, k, v, probs, out);
        if (!(scale > 0) || q.dataType() != DataType.FLOAT || !fast("attention", q, k, v, probs, out)) {
            portable.attention(q, k, v, scale, probs, out);
            return;
        }
        CpuAttention.attention(q, k, v, (float) scale, probs, out);
    }

    @Override
    public void attentionBackward(INDArray q, INDArray k, INDArray v, INDArray probs, double scale, INDArray dout,
                                  INDArray dq, INDArray dk, INDArray dv) {
        PortableKernels.checkAttentionBackward(q, k, v, probs, dout, dq, dk, dv);
        if (q.dataType() != DataType.FLOAT || !fast("attentionBackward", q, k, v, probs, dout, dq, dk, dv)) {
            portable.attentionBackward(q, k, v, probs, scale, dout, dq, dk, dv);
            return;
        }
        CpuAttention.attentionBackward(q, k, v, probs, (float) scale, dout, dq, dk, dv);
    }

    @Override
    public void attentionAndSplitBackward(INDArray q, INDArray k, INDArray v, INDArray probs, double scale,
                                          INDArray dout, INDArray x, INDArray qGamma, INDArray kGamma,
                                          INDArray stats, INDArray dx, INDArray[] normGradients, WorkArrays work) {
        // q, k, v stand in for their gradients in the checks: same shapes, and the CPU path writes none
        int[] s = PortableKernels.checkSplitHeadsBackward(q, k, v, x, qGamma, kGamma, stats, dx, normGradients[0],
                normGradients[1], normGradients[2], normGradients[3]);
        long bh = q.size(0) * q.size(1);
        INDArray q3 = q.reshape('c', bh, q.size(2), q.size(3));
        INDArray k3 = k.reshape('c', bh, k.size(2), k.size(3));
        INDArray v3 = v.reshape('c', bh, v.size(2), v.size(3));
        PortableKernels.checkAttentionBackward(q3, k3, v3, probs, dout, q3, k3, v3);
        if (q.dataType() != DataType.FLOAT || !fast("attentionAndSplitBackward", q, k, v, probs, dout, x, qGamma,
                kGamma, stats, dx, normGradients[0], normGradients[1], normGradients[2], normGradients[3])) {
            Kernels.super.attentionAndSplitBackward(q, k, v, probs, scale, dout, x, qGamma, kGamma, stats, dx,
                    normGradients, work);
            return;
        }
        // dq, dk, dv are this thread's own arrays, shared by every layer it runs: only this call uses them
        Buf[] dParts = new Buf[3];
        INDArray[] d3 = new INDArray[3];
        for (int i = 0; i < 3; i++) {
            d3[i] = NativeScratch.matrix(HEAD_GRADIENTS[i], DataType.FLOAT, bh, q.size(2) * q.size(3))
                    .reshape('c', q3.shape());
            dParts[i] = Buf.of(d3[i]);
        }
        CpuAttention.attentionBackward(q3, k3, v3, probs, (float) scale, dout, d3[0], d3[1], d3[2]);
        CpuHeads.splitBackward(dParts, Buf.of(x), new CpuHeads.Layout(s[0], s[1], s[2], s[3]),
                new CpuHeads.Norms(Buf.of(qGamma), null, Buf.of(kGamma), null, 0), Buf.of(stats), Buf.of(dx),
                new Buf[] {Buf.of(normGradients[0]), Buf.of(normGradients[1]), Buf.of(normGradients[2]),
                    Buf.of(normGradients[3])});
    }

    private static final String[] HEAD_GRADIENTS = {"attention.dq", "attention.dk", "attention.dv"};

    @Override
    public double squaredError(INDArray out, INDArray target, double scale, INDArray dOut) {
        KernelArgs.sameLength("target", target, out, "out");
        KernelArgs.sameLength("dOut", dOut, out, "out");
        KernelArgs.sameType(out, target, dOut);
        if (out.dataType() == DataType.FLOAT && CpuMemory.usable(DataType.FLOAT, out, target, dOut)) {
            return CpuElementwise.squaredError(Buf.of(out), Buf.of(target), (float) scale, Buf.of(dOut),
                    (int) out.length());
        }
        // column blocks of wider matrices (the velocity half of a learn_sigma output and its gradient)
        long cols = out.rank() == 0 ? 1 : out.size(-1);
        long rows = out.length() / Math.max(1, cols);
        long[] ld = new long[3];
        INDArray[] arrays = {out, target, dOut};
        boolean rowsOk = out.dataType() == DataType.FLOAT && cols > 0;
        for (int i = 0; i < 3 && rowsOk; i++) {
            ld[i] = CpuMemory.rowStride(arrays[i], DataType.FLOAT, rows, cols);
            rowsOk = ld[i] >= 0;
        }
        if (!rowsOk) {
            fast("squaredError", out, target, dOut); // for its log line on the first fallback
            return Kernels.super.squaredError(out, target, scale, dOut);
        }
        return CpuElementwise.squaredErrorRows(Buf.of(out), ld[0], Buf.of(target), ld[1], (float) scale,
                Buf.of(dOut), ld[2], (int) rows, (int) cols);
    }

    @Override
    public void zero(INDArray a) {
        if (a.dataType() != DataType.FLOAT || !fast("zero", a)) {
            Kernels.super.zero(a);
            return;
        }
        CpuElementwise.zero(Buf.of(a), (int) a.length());
    }

    @Override
    public void addTo(INDArray acc, INDArray x) {
        KernelArgs.sameLength("x", x, acc, "acc");
        KernelArgs.sameType(acc, x);
        if (acc.dataType() != DataType.FLOAT || !fast("addTo", acc, x)) {
            Kernels.super.addTo(acc, x);
            return;
        }
        CpuElementwise.addTo(Buf.of(acc), Buf.of(x), (int) acc.length());
    }

    @Override
    public void swapLeadingAxes(INDArray src, INDArray dst) {
        KernelArgs.swappedLeadingAxes(src, dst);
        if (src.dataType() != DataType.FLOAT || !fast("swapLeadingAxes", src, dst)) {
            Kernels.super.swapLeadingAxes(src, dst);
            return;
        }
        CpuElementwise.swapLeadingAxes(Buf.of(src), Buf.of(dst), (int) src.size(0), (int) src.size(1),
                (int) src.size(2));
    }

    @Override
    public void linear(INDArray x, INDArray w, INDArray b, INDArray y) {
        KernelArgs.linear(x, w, b, y);
        KernelArgs.sameType(x, w, b, y);
        if (x.dataType() != DataType.FLOAT || !fast("linear", x, w, b, y)) {
            portable.linear(x, w, b, y);
            return;
        }
        CpuLinear.linear(x, w, b, y);
    }

    @Override
    public void linearBackward(INDArray dy, INDArray x, INDArray w, INDArray dx, INDArray dw, INDArray db) {
        PortableKernels.checkLinearBackward(dy, x, w, dx, dw, db);
        if (dy.dataType() != DataType.FLOAT || !fast("linearBackward", dy, x, w, dx, dw, db)) {
            portable.linearBackward(dy, x, w, dx, dw, db);
            return;
        }
        CpuLinear.linearBackward(dy, x, w, dx, dw, db);
    }

    @Override
    public void splitHeads(INDArray x, double eps, INDArray qGamma, INDArray qBeta, INDArray kGamma, INDArray kBeta,
                           INDArray q, INDArray k, INDArray v, INDArray stats) {
        int[] s = KernelArgs.heads(x, q, k, v, qGamma, qBeta, kGamma, kBeta, stats, true);
        KernelArgs.sameType(x, q, k, v, qGamma, qBeta, kGamma, kBeta, stats);
        if (x.dataType() != DataType.FLOAT || !fast("splitHeads", x, q, k, v, qGamma, qBeta, kGamma, kBeta, stats)) {
            portable.splitHeads(x, eps, qGamma, qBeta, kGamma, kBeta, q, k, v, stats);
            return;
        }
        CpuHeads.split(Buf.of(x), new CpuHeads.Layout(s[0], s[1], s[2], s[3]),
                new CpuHeads.Norms(Buf.of(qGamma), Buf.of(qBeta), Buf.of(kGamma), Buf.of(kBeta), eps),
                new Buf[] {Buf.of(q), Buf.of(k), Buf.of(v)}, Buf.of(stats));
    }

    @Override
    public void splitHeadsBackward(INDArray dq, INDArray dk, INDArray dv, INDArray x, INDArray qGamma,
                                   INDArray kGamma, INDArray stats, INDArray dx, INDArray dqGamma, INDArray dqBeta,
                                   INDArray dkGamma, INDArray dkBeta) {
        int[] s = PortableKernels.checkSplitHeadsBackward(dq, dk, dv, x, qGamma, kGamma, stats, dx, dqGamma, dqBeta,
                dkGamma, dkBeta);
        if (x.dataType() != DataType.FLOAT || !fast("splitHeadsBackward", x, dq, dk, dv, qGamma, kGamma, stats, dx,
                dqGamma, dqBeta, dkGamma, dkBeta)) {
            portable.splitHeadsBackward(dq, dk, dv, x, qGamma, kGamma, stats, dx, dqGamma, dqBeta, dkGamma, dkBeta);
            return;
        }
        CpuHeads.splitBackward(new Buf[] {Buf.of(dq), Buf.of(dk), Buf.of(dv)}, Buf.of(x),
                new CpuHeads.Layout(s[0], s[1], s[2], s[3]),
                new CpuHeads.Norms(Buf.of(qGamma), null, Buf.of(kGamma), null, 0), Buf.of(stats), Buf.of(dx),
                new Buf[] {Buf.of(dqGamma), Buf.of(dqBeta), Buf.of(dkGamma), Buf.of(dkBeta)});
    }
}
