package org.svgjava.diffusion.model;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.svgjava.core.kernels.Kernels;
import org.svgjava.core.nn.Activation;
import org.svgjava.core.nn.Attention;
import org.svgjava.core.nn.Linear;
import org.svgjava.core.nn.Mlp;
import org.svgjava.core.nn.Module;

/**
 * The DiT block with adaLN-Zero conditioning, as in the official SVG {@code DiTBlock}:
 * <pre>
 * shift_msa, scale_msa, gate_msa, shift_mlp, scale_mlp, gate_mlp = adaLN_modulation(c).chunk(6)
 * x = x + gate_msa * attn(modulate(norm1(x), shift_msa, scale_msa))
 * x = x + gate_mlp * mlp(modulate(norm2(x), shift_mlp, scale_mlp))
 * </pre>
 * norm1/norm2 are LayerNorm without affine (eps 1e-6), attention has QK-norm, the MLP is GELU-tanh. Each
 * {@code modulate(norm(x))} and its backward run as one fused kernel ({@link Kernels#modulatedLayerNorm}), the
 * second together with the first half's gated residual ({@link Kernels#gatedResidualModulatedLayerNorm}); the
 * norms have no parameters, so nothing of the {@code state_dict} changes.
 */
public final class DiTBlock extends Module {
    private static final int SHIFT_MSA = 0;
    private static final int SCALE_MSA = 1;
    private static final int GATE_MSA = 2;
    private static final int SHIFT_MLP = 3;
    private static final int SCALE_MLP = 4;
    private static final int GATE_MLP = 5;

    private static final double NORM_EPS = 1e-6;

    private final long dim;
    private final Attention attn;
    private final Mlp mlp;
    private final Activation adaAct;
    private final Linear adaLinear;
    private INDArray c;
    /** The inputs of norm1 and norm2, for the backward pass. */
    private INDArray x0;
    private INDArray x1;
    private INDArray attnOut;
    private INDArray mlpOut;

    public DiTBlock(long dim, int heads, double mlpRatio, boolean qkNorm) {
        this.dim = dim;
        attn = addModule("attn", new Attention(dim, heads, true, qkNorm, false));
        mlp = addModule("mlp", new Mlp(dim, (long) (dim * mlpRatio), dim, Activation.Kind.GELU_TANH));
        adaAct = addModule("adaLN_modulation.0", new Activation(Activation.Kind.SILU));
        adaLinear = addModule("adaLN_modulation.1", new Linear(dim, 6 * dim));
    }

    public Attention attn() {
        return attn;
    }

    public Mlp mlp() {
        return mlp;
    }

    public Linear adaLN() {
        return adaLinear;
    }

    /** x {@code [B, T, D]}, conditioning c {@code [B, D]}; returns the new x (this block's buffer). */
    public INDArray forward(INDArray x, INDArray cond) {
        Kernels k = Kernels.get();
        long b = x.size(0);
        INDArray mod = adaLinear.forward(adaAct.forward(cond));
        INDArray mods = buffers.get("mod", mod.dataType(), 6, b, dim);
        k.swapLeadingAxes(mod.reshape('c', b, 6, dim), mods);
        INDArray[] m = chunks(mods);
        var type = x.dataType();
        long rows = x.length() / dim;
        INDArray m1 = buffers.like("m1", x);
        k.modulatedLayerNorm(x, NORM_EPS, m[SHIFT_MSA], m[SCALE_MSA], m1, buffers.get("mean1", type, rows),
                buffers.get("rstd1", type, rows));
        INDArray a = attn.forward(m1);
        INDArray xMid = buffers.like("x1", x);
        INDArray m2 = buffers.like("m2", x);
        k.gatedResidualModulatedLayerNorm(x, a, m[GATE_MSA], xMid, NORM_EPS, m[SHIFT_MLP], m[SCALE_MLP], m2,
                buffers.get("mean2", type, rows), buffers.get("rstd2", type, rows));
        INDArray f = mlp.forward(m2);
        INDArray out = buffers.like("out", x);
        k.gatedResidual(xMid, f, m[GATE_MLP], out);
        boolean keep = storesActivations();
        c = keep ? cond : null;
        x0 = keep ? x : null;
        x1 = keep ? xMid : null;
        attnOut = keep ? a : null;
        mlpOut = keep ? f : null;
        return out;
    }

    /**
     * Returns dL/dx and adds dL/dc into {@code dcAccumulator} ({@code [B, D]}: c feeds every block, so the caller
     * sums the blocks' contributions there).
     */
    public INDArray backward(INDArray dout, INDArray dcAccumulator) {
        stored(c);
        Kernels k = Kernels.get();
        long b = dout.size(0);
        var type = dout.dataType();
        INDArray[] m = chunks(buffers.get("mod", type, 6, b, dim));
        INDArray dmods = buffers.get("dmodChunks", type, 6, b, dim);
        INDArray[] dm = chunks(dmods);
        long rows = dout.length() / dim;
        // second half: out = x1 + gate_mlp * mlp(modulate(norm2(x1))); dL/dx1 = dout + the path through norm2
        INDArray dF = buffers.like("dF", dout);
        k.gatedResidualBackward(dout, mlpOut, m[GATE_MLP], dF, dm[GATE_MLP]);
        INDArray dm2 = mlp.backward(dF);
        INDArray dx1 = buffers.like("dx1", dout);
        // with the first half's gated residual, x1 = x + gate_msa * attn(modulate(norm1(x)))
        INDArray dA = buffers.like("dA", dx1);
        k.gatedResidualModulatedLayerNormBackward(dm2, x1, buffers.get("mean2", type, rows),
                buffers.get("rstd2", type, rows), m[SCALE_MLP], dout, dx1, dm[SHIFT_MLP], dm[SCALE_MLP], attnOut,
                m[GATE_MSA], dA, dm[GATE_MSA]);
        INDArray dm1 = attn.backward(dA);
        INDArray dx = buffers.like("dx", dout);
        k.modulatedLayerNormBackward(dm1, x0, buffers.get("mean1", type, rows), buffers.get("rstd1", type, rows),
                m[SCALE_MSA], dx1, dx, dm[SHIFT_MSA], dm[SCALE_MSA]);
        // conditioning: chunks -> adaLN linear -> SiLU
        INDArray dmod = buffers.get("dmod", type, b, 6 * dim);
        k.swapLeadingAxes(dmods, dmod.reshape('c', b, 6, dim));
        k.addTo(dcAccumulator, adaAct.backward(adaLinear.backward(dmod)));
        return dx;
    }

    /**
     * The six contiguous {@code [B, D]} blocks of a {@code [6, B, D]} buffer (the kernels want contiguous rows;
     * {@link Kernels#swapLeadingAxes} moves the chunks of adaLN's {@code [B, 6D]} output there and back).
     */
    private static INDArray[] chunks(INDArray store) {
        INDArray[] out = new INDArray[6];
        for (int i = 0; i < 6; i++) {
            out[i] = store.slice(i);
        }
        return out;
    }
}
