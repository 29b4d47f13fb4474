package org.svgjava.diffusion.model;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.svgjava.core.kernels.Kernels;
import org.svgjava.core.nn.Activation;
import org.svgjava.core.nn.Attention;
import org.svgjava.core.nn.LayerNorm;
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
 * norm1/norm2 are LayerNorm without affine (eps 1e-6), attention has QK-norm, the MLP is GELU-tanh.
 */
public final class DiTBlock extends Module {
    private static final int SHIFT_MSA = 0;
    private static final int SCALE_MSA = 1;
    private static final int GATE_MSA = 2;
    private static final int SHIFT_MLP = 3;
    private static final int SCALE_MLP = 4;
    private static final int GATE_MLP = 5;

    private final long dim;
    private final LayerNorm norm1;
    private final Attention attn;
    private final LayerNorm norm2;
    private final Mlp mlp;
    private final Activation adaAct;
    private final Linear adaLinear;
    private INDArray c;
    private INDArray h1;
    private INDArray h2;
    private INDArray attnOut;
    private INDArray mlpOut;

    public DiTBlock(long dim, int heads, double mlpRatio, boolean qkNorm) {
        this.dim = dim;
        norm1 = addModule("norm1", new LayerNorm(dim, 1e-6, false));
        attn = addModule("attn", new Attention(dim, heads, true, qkNorm, false));
        norm2 = addModule("norm2", new LayerNorm(dim, 1e-6, false));
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
        INDArray[] m = chunks("mod", mod.dataType(), b);
        for (int i = 0; i < 6; i++) {
            m[i].assign(mod.get(NDArrayIndex.all(), NDArrayIndex.interval(i * dim, (i + 1) * dim)));
        }
        INDArray n1 = norm1.forward(x);
        INDArray m1 = buffers.like("m1", n1);
        k.modulate(n1, m[SHIFT_MSA], m[SCALE_MSA], m1);
        INDArray a = attn.forward(m1);
        INDArray x1 = buffers.like("x1", x);
        k.gatedResidual(x, a, m[GATE_MSA], x1);
        INDArray n2 = norm2.forward(x1);
        INDArray m2 = buffers.like("m2", n2);
        k.modulate(n2, m[SHIFT_MLP], m[SCALE_MLP], m2);
        INDArray f = mlp.forward(m2);
        INDArray out = buffers.like("out", x);
        k.gatedResidual(x1, f, m[GATE_MLP], out);
        boolean keep = storesActivations();
        c = keep ? cond : null;
        h1 = keep ? n1 : null;
        h2 = keep ? n2 : null;
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
        INDArray[] m = chunks("mod", type, b);
        INDArray[] dm = chunks("dmodChunks", type, b);
        // second half: out = x1 + gate_mlp * mlp(modulate(norm2(x1)))
        INDArray dF = buffers.like("dF", dout);
        k.gatedResidualBackward(dout, mlpOut, m[GATE_MLP], dF, dm[GATE_MLP]);
        INDArray dm2 = mlp.backward(dF);
        INDArray dh2 = buffers.like("dh2", dm2);
        k.modulateBackward(dm2, h2, m[SCALE_MLP], dh2, dm[SHIFT_MLP], dm[SCALE_MLP]);
        // norm2's input-gradient buffer takes the residual branch in place: one pass instead of a copy and an add
        INDArray dx1 = norm2.backward(dh2).addi(dout);
        // first half: x1 = x + gate_msa * attn(modulate(norm1(x)))
        INDArray dA = buffers.like("dA", dx1);
        k.gatedResidualBackward(dx1, attnOut, m[GATE_MSA], dA, dm[GATE_MSA]);
        INDArray dm1 = attn.backward(dA);
        INDArray dh1 = buffers.like("dh1", dm1);
        k.modulateBackward(dm1, h1, m[SCALE_MSA], dh1, dm[SHIFT_MSA], dm[SCALE_MSA]);
        INDArray dx = norm1.backward(dh1).addi(dx1);
        // conditioning: chunks -> adaLN linear -> SiLU
        INDArray dmod = buffers.get("dmod", type, b, 6 * dim);
        for (int i = 0; i < 6; i++) {
            dmod.get(NDArrayIndex.all(), NDArrayIndex.interval(i * dim, (i + 1) * dim)).assign(dm[i]);
        }
        dcAccumulator.addi(adaAct.backward(adaLinear.backward(dmod)));
        return dx;
    }

    /** Six contiguous {@code [B, D]} views of one {@code [6, B, D]} buffer (the kernels want contiguous rows). */
    private INDArray[] chunks(String key, org.nd4j.linalg.api.buffer.DataType type, long b) {
        INDArray store = buffers.get(key, type, 6, b, dim);
        INDArray[] out = new INDArray[6];
        for (int i = 0; i < 6; i++) {
            out[i] = store.slice(i);
        }
        return out;
    }
}
