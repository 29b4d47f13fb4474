package org.svgjava.core.kernels;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The element-wise work of transformer and conv layers, behind one interface so that the same layer code runs on
 * any ND4J backend ({@link PortableKernels}, built from ND4J ops: what the CUDA backend runs) and at full speed on
 * the CPU ({@link CpuKernels}: fused multi-threaded loops over the arrays' memory, no allocation per call).
 *
 * <p>Conventions shared by every method:
 * <ul>
 *   <li>All arrays are C-order and contiguous (they may be views at an offset into a larger buffer, as the views
 *       of a {@code ParameterSet} are). Shapes are given as the "logical" 2-D or 3-D layout in each method's doc;
 *       any array whose element count and memory order match is accepted (e.g. {@code [B,T,D]} for {@code [N,D]}
 *       with N = B*T).</li>
 *   <li>Outputs named {@code y}, {@code out}, {@code dx}, {@code dq}, ... are overwritten. Parameter gradients
 *       ({@code dgamma}, {@code dbeta}) are accumulated (+=), because several uses of one parameter add up.</li>
 *   <li>An output may be the same array as an input only where the doc says so ("in place allowed").</li>
 *   <li>Arrays are FLOAT or DOUBLE (all of one call the same type); DOUBLE is what gradient checks use.</li>
 *   <li>Statistics are computed in double precision internally.</li>
 * </ul>
 */
public interface Kernels {
    /**
     * LayerNorm over the last dimension: rows of x {@code [N,D]}: {@code y = (x - mean) * rstd * gamma + beta} with
     * the biased variance and {@code rstd = 1/sqrt(var + eps)}. gamma and beta ({@code [D]}) may each be null (no
     * affine). mean and rstd ({@code [N]}) receive the row statistics for the backward pass and may be null. In
     * place allowed (y == x).
     */
    void layerNorm(INDArray x, INDArray gamma, INDArray beta, double eps, INDArray y, INDArray mean, INDArray rstd);

    /**
     * Backward of {@link #layerNorm}: dx overwritten; dgamma, dbeta accumulated (each may be null: no affine, or
     * frozen). gamma may be null (treated as ones).
     */
    void layerNormBackward(INDArray dy, INDArray x, INDArray gamma, INDArray mean, INDArray rstd, INDArray dx,
                           INDArray dgamma, INDArray dbeta);

    /**
     * GroupNorm of x {@code [B,C,S]} (S = H*W) with G groups of C/G channels: statistics over (C/G)*S elements per
     * (b, g); gamma, beta {@code [C]} (may be null); mean, rstd {@code [B,G]} saved (may be null). In place allowed.
     */
    void groupNorm(INDArray x, int groups, INDArray gamma, INDArray beta, double eps, INDArray y, INDArray mean,
                   INDArray rstd);

    /** Backward of {@link #groupNorm}: dx overwritten; dgamma, dbeta accumulated (may be null). */
    void groupNormBackward(INDArray dy, INDArray x, int groups, INDArray gamma, INDArray mean, INDArray rstd,
                           INDArray dx, INDArray dgamma, INDArray dbeta);

    /** Softmax over the last dimension of x {@code [N,L]}, numerically stable (max subtracted). In place allowed. */
    void softmax(INDArray x, INDArray y);

    /** Backward of softmax from its output y: {@code dx = y * (dy - sum(dy * y))} per row. dx may be dy. */
    void softmaxBackward(INDArray y, INDArray dy, INDArray dx);

    /** GELU, {@code tanh} = true for the tanh approximation (DiT/SiT MLP), false for exact erf (ViT). In place allowed. */
    void gelu(INDArray x, INDArray y, boolean tanh);

    /** {@code dx = dy * gelu'(x)}. dx may be dy. */
    void geluBackward(INDArray x, INDArray dy, INDArray dx, boolean tanh);

    /**
     * {@link #geluBackward}, then adds the sums of dx over all but its last dimension into {@code dxColumnSums}
     * ({@code [x.size(-1)]}): the bias gradient of the linear layer that dx goes back through, which the CPU
     * kernel takes row by row while dx is in cache instead of in a pass of its own.
     */
    default void geluBackward(INDArray x, INDArray dy, INDArray dx, boolean tanh, INDArray dxColumnSums) {
        long cols = x.size(-1);
        if (dxColumnSums.length() != cols) {
            throw new IllegalArgumentException("dxColumnSums has " + dxColumnSums.length() + " elements, x rows "
                    + cols);
        }
        geluBackward(x, dy, dx, tanh);
        dxColumnSums.addi(dx.reshape('c', dx.length() / cols, cols).sum(0).reshape(dxColumnSums.shape()));
    }

    /** SiLU / swish {@code x * sigmoid(x)}. In place allowed. */
    void silu(INDArray x, INDArray y);

    /** {@code dx = dy * silu'(x)}. dx may be dy. */
    void siluBackward(INDArray x, INDArray dy, INDArray dx);

    /**
     * adaLN modulation: x {@code [B,T,D]}, shift and scale {@code [B,D]} (rows of a larger chunked array are
     * fine when contiguous): {@code y = x * (1 + scale[b]) + shift[b]}. In place allowed.
     */
    void modulate(INDArray x, INDArray shift, INDArray scale, INDArray y);

    /**
     * Backward of {@link #modulate}: {@code dx = dy * (1 + scale)} (overwritten, may be dy),
     * {@code dshift[b] = sum_t dy}, {@code dscale[b] = sum_t dy * x} (both overwritten; each may be null).
     */
    void modulateBackward(INDArray dy, INDArray x, INDArray scale, INDArray dx, INDArray dshift, INDArray dscale);

    /**
     * adaLN's normalise-then-modulate in one pass, {@code y = modulate(layerNorm(x), shift, scale)} with a
     * LayerNorm without affine: x {@code [B,T,D]}, shift and scale {@code [B,D]}; mean and rstd ({@code [B*T]})
     * receive the row statistics for the backward pass and must not be null. In place allowed.
     */
    void modulatedLayerNorm(INDArray x, double eps, INDArray shift, INDArray scale, INDArray y, INDArray mean,
                            INDArray rstd);

    /**
     * Backward of {@link #modulatedLayerNorm}, plus an optional residual gradient that passes around it: with
     * {@code n = (x - mean) rstd} and {@code g = dy (1 + scale[b])}, {@code dshift[b] = sum_t dy} and
     * {@code dscale[b] = sum_t dy n} (both overwritten; each may be null), and
     * {@code dx = layerNormBackward(g) + residual} (overwritten; residual may be null; dx may be residual).
     */
    void modulatedLayerNormBackward(INDArray dy, INDArray x, INDArray mean, INDArray rstd, INDArray scale,
                                    INDArray residual, INDArray dx, INDArray dshift, INDArray dscale);

    /**
     * {@link #gatedResidual} {@code out = x + gate[b] * h} followed by {@link #modulatedLayerNorm} of out into y
     * (mean, rstd as there), as a DiT block runs them between its two halves; one pass on the CPU. out must not
     * be x.
     */
    default void gatedResidualModulatedLayerNorm(INDArray x, INDArray h, INDArray gate, INDArray out, double eps,
                                                 INDArray shift, INDArray scale, INDArray y, INDArray mean,
                                                 INDArray rstd) {
        gatedResidual(x, h, gate, out);
        modulatedLayerNorm(out, eps, shift, scale, y, mean, rstd);
    }

    /**
     * Backward of {@link #gatedResidualModulatedLayerNorm}: {@link #modulatedLayerNormBackward} of the norm (x
     * being the forward's out, residual the gradient reaching out from elsewhere, dx its whole gradient, which is
     * also the gradient of the forward's x), then {@link #gatedResidualBackward} from dx; one pass on the CPU.
     */
    default void gatedResidualModulatedLayerNormBackward(INDArray dy, INDArray x, INDArray mean, INDArray rstd,
                                                         INDArray scale, INDArray residual, INDArray dx,
                                                         INDArray dshift, INDArray dscale, INDArray h, INDArray gate,
                                                         INDArray dh, INDArray dgate) {
        modulatedLayerNormBackward(dy, x, mean, rstd, scale, residual, dx, dshift, dscale);
        gatedResidualBackward(dx, h, gate, dh, dgate);
    }

    /**
     * Gated residual of adaLN-Zero: x, h {@code [B,T,D]}, gate {@code [B,D]}: {@code out = x + gate[b] * h}.
     * out may be x (the usual in-place residual update).
     */
    void gatedResidual(INDArray x, INDArray h, INDArray gate, INDArray out);

    /**
     * Backward of {@link #gatedResidual} (the x branch passes dout through unchanged and is not computed here):
     * {@code dh = dout * gate[b]} (overwritten), {@code dgate[b] = sum_t dout * h} (overwritten; may be null).
     */
    void gatedResidualBackward(INDArray dout, INDArray h, INDArray gate, INDArray dh, INDArray dgate);

    /**
     * Rotary position embedding, rotate-half layout, on x {@code [BH,T,dh]}: tokens {@code t >= prefix} are
     * rotated with row {@code t - prefix} of sin and cos {@code [T - prefix, dh]}:
     * {@code y = x * cos + rotateHalf(x) * sin} with {@code rotateHalf([a, b]) = [-b, a]} (halves of dh).
     * The tables repeat across the two halves ({@code sin[:, j] == sin[:, j + dh/2]}), as rotate-half RoPE tables
     * do: each pair (j, j + dh/2) is then a plane rotation. Tokens before prefix are copied. In place allowed. {@code inverse} = true rotates by the negative angle
     * (sin negated): the rotation is orthogonal, so that is its backward pass.
     */
    void rope(INDArray x, INDArray sin, INDArray cos, int prefix, boolean inverse, INDArray y);

    /**
     * Splits a fused qkv projection x {@code [B, T, 3*H*dh]} (per token the H heads of q, then of k, then of v)
     * into head-major q, k, v {@code [B, H, T, dh]}, H and dh read from q's shape. With qGamma not null, q and k
     * are LayerNorm-ed over dh on the way (QK-norm with affine qGamma, qBeta, kGamma, kBeta {@code [dh]}, all
     * given), and stats {@code [4, B*H*T]} receives the mean and rstd of the q rows, then of the k rows, in
     * head-major row order; without the norm stats may be null.
     */
    void splitHeads(INDArray x, double eps, INDArray qGamma, INDArray qBeta, INDArray kGamma, INDArray kBeta,
                    INDArray q, INDArray k, INDArray v, INDArray stats);

    /**
     * Backward of {@link #splitHeads}: dx {@code [B, T, 3*H*dh]} overwritten from dq, dk, dv. With qGamma not
     * null the q and k parts go back through the QK-norm (x and stats as the forward pass read and left them)
     * and dqGamma, dqBeta, dkGamma, dkBeta are accumulated (each may be null).
     */
    void splitHeadsBackward(INDArray dq, INDArray dk, INDArray dv, INDArray x, INDArray qGamma, INDArray kGamma,
                            INDArray stats, INDArray dx, INDArray dqGamma, INDArray dqBeta, INDArray dkGamma,
                            INDArray dkBeta);

    /**
     * Scaled dot-product attention core for q {@code [BH,Tq,dh]}, k {@code [BH,Tk,dh]}, v {@code [BH,Tk,dv]}:
     * {@code P = softmax(q k^T * scale)} over the keys and {@code out = P v}, written either head-major
     * {@code [BH,Tq,dv]} or token-major {@code [B,Tq,H*dv]} (the heads of a token side by side, as the output
     * projection reads them; H = BH / B): the shape of out says which. probs receives
     * P <em>transposed</em>, {@code probs[b, j, i] = P[b, i, j]} ({@code [BH,Tk,Tq]}; must not be null), for the
     * backward pass: in that layout a query's softmax is a column, whose reductions vectorise on the CPU.
     */
    void attention(INDArray q, INDArray k, INDArray v, double scale, INDArray probs, INDArray out);

    /** Backward of {@link #attention} from its probs: dq, dk, dv overwritten; dout in either layout of out. */
    void attentionBackward(INDArray q, INDArray k, INDArray v, INDArray probs, double scale, INDArray dout,
                           INDArray dq, INDArray dk, INDArray dv);

    /**
     * {@link #attentionBackward} followed by {@link #splitHeadsBackward}, for attention over the q, k, v that
     * {@link #splitHeads} made from x, unchanged in between (no RoPE): q, k, v, dq, dk, dv are
     * {@code [B, H, T, dh]}, probs {@code [BH, T, T]}, dout {@code [B, T, H*dh]} or {@code [BH, T, dh]}, and dx
     * {@code [B, T, 3*H*dh]} is overwritten; qGamma null means no QK-norm, else the norm gradients are
     * accumulated as by splitHeadsBackward. This default asks {@code work} for dq, dk, dv of q's shape (keys
     * {@code "dq"}, {@code "dk"}, {@code "dv"}); the CPU kernels keep them in arrays of the calling thread, shared by
     * every layer it runs, and ask for nothing.
     */
    default void attentionAndSplitBackward(INDArray q, INDArray k, INDArray v, INDArray probs, double scale,
                                           INDArray dout, INDArray x, INDArray qGamma, INDArray kGamma,
                                           INDArray stats, INDArray dx, INDArray[] normGradients, WorkArrays work) {
        long bh = q.size(0) * q.size(1);
        long t = q.size(2);
        long dh = q.size(3);
        INDArray dq = work.get("dq", q.dataType(), q.shape());
        INDArray dk = work.get("dk", q.dataType(), q.shape());
        INDArray dv = work.get("dv", q.dataType(), q.shape());
        attentionBackward(q.reshape('c', bh, t, dh), k.reshape('c', bh, t, dh), v.reshape('c', bh, t, dh), probs,
                scale, dout, dq.reshape('c', bh, t, dh), dk.reshape('c', bh, t, dh), dv.reshape('c', bh, t, dh));
        splitHeadsBackward(dq, dk, dv, x, qGamma, kGamma, stats, dx, normGradients[0], normGradients[1],
                normGradients[2], normGradients[3]);
    }

    /**
     * The gradient of a squared error: {@code dOut = scale * (out - target)} (overwritten; all three of one length),
     * returning {@code sum((out - target)^2)}: one pass on the CPU where ND4J needs three.
     */
    default double squaredError(INDArray out, INDArray target, double scale, INDArray dOut) {
        KernelArgs.sameLength("target", target, out, "out");
        KernelArgs.sameLength("dOut", dOut, out, "out");
        dOut.assign(out).subi(target);
        // summed in double: ND4J's float reduction over a latent batch was off by 1e-4
        double norm = dOut.castTo(DataType.DOUBLE).norm2Number().doubleValue();
        dOut.muli(scale);
        return norm * norm;
    }

    /** Sets every element of a to zero (a whole gradient buffer before a step). */
    default void zero(INDArray a) {
        a.assign(0);
    }

    /** {@code acc += x}, element by element over arrays of one length (a gradient summed over several uses). */
    default void addTo(INDArray acc, INDArray x) {
        KernelArgs.sameLength("x", x, acc, "acc");
        acc.addi(x.reshape(acc.shape()));
    }

    /**
     * {@code dst[j, i, :] = src[i, j, :]} for src {@code [A, B, C]} and dst {@code [B, A, C]}: the six adaLN chunks
     * of a {@code [N, 6, D]} modulation as six contiguous {@code [N, D]} blocks, and their gradients back. One call
     * where six strided copies through ND4J cost 0.07 ms each inside a training step, nearly all of it per-op
     * overhead.
     */
    default void swapLeadingAxes(INDArray src, INDArray dst) {
        KernelArgs.swappedLeadingAxes(src, dst);
        dst.assign(src.permute(1, 0, 2));
    }

    /**
     * PyTorch's {@code F.linear}: {@code y = x w^T + b} for x {@code [N,in]}, w {@code [out,in]}, b {@code [out]}
     * (may be null) and y {@code [N,out]} (overwritten). The product goes to BLAS; the bias costs no extra pass
     * where the implementation can fold it into the product.
     */
    void linear(INDArray x, INDArray w, INDArray b, INDArray y);

    /**
     * Backward of {@link #linear}: {@code dx = dy w} (overwritten), {@code dw += dy^T x}, {@code db += } the column
     * sums of dy. Each of dx, dw, db may be null (not wanted: the input of a first layer, a frozen layer, no bias).
     */
    void linearBackward(INDArray dy, INDArray x, INDArray w, INDArray dx, INDArray dw, INDArray db);

    /** The implementation for this process: {@link CpuKernels} on the CPU backend, else {@link PortableKernels}. */
    static Kernels get() {
        return KernelSelector.get();
    }
}
