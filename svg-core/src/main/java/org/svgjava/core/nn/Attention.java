package org.svgjava.core.nn;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.svgjava.core.kernels.Kernels;

/**
 * Multi-head self-attention as timm/DiT/DINOv3 write it: a fused {@code qkv} Linear (rows [q; k; v], each
 * head-major), optional QK-LayerNorm over the head dimension ({@code q_norm}, {@code k_norm}: affine, shared by the
 * heads), optional rotary embedding of q and k for the tokens after a prefix, softmax attention with scale
 * {@code head_dim^-0.5}, and the output {@code proj}. Optionally the qkv bias is masked (DINOv3).
 */
public final class Attention extends Module implements Layer {
    /** RoPE tables {@code [T - prefix, headDim]} for the current token grid; the first {@code prefix} tokens are not rotated. */
    public record Rope(INDArray sin, INDArray cos, int prefix) {
    }

    private final long dim;
    private final int heads;
    private final long headDim;
    private final Linear qkv;
    private final LayerNorm qNorm;
    private final LayerNorm kNorm;
    private final Linear proj;
    private Rope rope;
    private boolean stored;
    /** The qkv projection the forward pass split (QK-norm's backward needs the values before the norm). */
    private INDArray qkvOut;
    /** The q and k the softmax saw (after norm and rotation), buffers of this module. */
    private INDArray qUsed;
    private INDArray kUsed;

    /**
     * @param qkNorm  QK-LayerNorm (SiT/SVG: eps 1e-5, affine)
     * @param maskedQkvBias  DINOv3's {@code qkv.bias_mask}
     */
    public Attention(long dim, int heads, boolean qkvBias, boolean qkNorm, boolean maskedQkvBias) {
        if (dim % heads != 0) {
            throw new IllegalArgumentException("width " + dim + " does not split into " + heads + " heads");
        }
        this.dim = dim;
        this.heads = heads;
        this.headDim = dim / heads;
        qkv = addModule("qkv", new Linear(dim, 3 * dim, qkvBias, maskedQkvBias));
        qNorm = qkNorm ? addModule("q_norm", new LayerNorm(headDim, 1e-5, true)) : null;
        kNorm = qkNorm ? addModule("k_norm", new LayerNorm(headDim, 1e-5, true)) : null;
        proj = addModule("proj", new Linear(dim, dim));
    }

    public Linear qkv() {
        return qkv;
    }

    public Linear proj() {
        return proj;
    }

    /** QK-norm weights to PyTorch's defaults (1 and 0); no-op without QK-norm. */
    public void resetNorms() {
        if (qNorm != null) {
            qNorm.resetParameters();
            kNorm.resetParameters();
        }
    }

    @Override
    public INDArray forward(INDArray x) {
        return forward(x, null);
    }

    /** x {@code [B, T, dim]}; rope may be null. */
    public INDArray forward(INDArray x, Rope rope) {
        long b = x.size(0);
        long t = x.size(1);
        var type = x.dataType();
        INDArray qkvOut = qkv.forward(x);
        INDArray q = buffers.get("q", type, b, heads, t, headDim);
        INDArray k = buffers.get("k", type, b, heads, t, headDim);
        INDArray v = buffers.get("v", type, b, heads, t, headDim);
        // the head split and QK-norm in one pass
        if (qNorm != null) {
            Kernels.get().splitHeads(qkvOut, qNorm.eps(), qNorm.weight(), qNorm.bias(), kNorm.weight(), kNorm.bias(),
                    q, k, v, buffers.get("qkStats", type, 4, b * heads * t));
        } else {
            Kernels.get().splitHeads(qkvOut, 0, null, null, null, null, q, k, v, null);
        }
        if (rope != null) {
            INDArray qr = buffers.like("qRope", q);
            INDArray kr = buffers.like("kRope", k);
            Kernels.get().rope(q.reshape('c', b * heads, t, headDim), rope.sin(), rope.cos(), rope.prefix(), false,
                    qr.reshape('c', b * heads, t, headDim));
            Kernels.get().rope(k.reshape('c', b * heads, t, headDim), rope.sin(), rope.cos(), rope.prefix(), false,
                    kr.reshape('c', b * heads, t, headDim));
            q = qr;
            k = kr;
        }
        INDArray probs = buffers.get("probs", type, b * heads, t, t);
        // written token-major, each token's heads side by side, as proj reads them
        INDArray merged = buffers.get("merged", type, b, t, dim);
        Kernels.get().attention(q.reshape('c', b * heads, t, headDim), k.reshape('c', b * heads, t, headDim),
                v.reshape('c', b * heads, t, headDim), 1.0 / Math.sqrt(headDim), probs, merged);
        stored = storesActivations();
        this.qkvOut = stored ? qkvOut : null;
        this.rope = stored ? rope : null;
        qUsed = stored ? q : null;
        kUsed = stored ? k : null;
        return proj.forward(merged);
    }

    @Override
    public INDArray backward(INDArray dy) {
        if (!stored) {
            throw new IllegalStateException("backward without a stored forward");
        }
        INDArray dMerged = proj.backward(dy);
        long b = dMerged.size(0);
        long t = dMerged.size(1);
        var type = dy.dataType();
        INDArray q = qUsed;
        INDArray k = kUsed;
        INDArray v = buffers.get("v", type, b, heads, t, headDim);
        long bh = b * heads;
        INDArray dQkv = buffers.get("dQkv", type, b, t, 3 * dim);
        if (rope == null) {
            // one call: the CPU kernels take each head's gradients back through the split while in cache
            boolean norm = qNorm != null;
            INDArray[] normGradients = norm ? new INDArray[] {qNorm.weightGradient(), qNorm.biasGradient(),
                kNorm.weightGradient(), kNorm.biasGradient()} : new INDArray[4];
            Kernels.get().attentionAndSplitBackward(q, k, v, buffers.get("probs", type, bh, t, t),
                    1.0 / Math.sqrt(headDim), dMerged, qkvOut, norm ? qNorm.weight() : null,
                    norm ? kNorm.weight() : null, norm ? buffers.get("qkStats", type, 4, bh * t) : null, dQkv,
                    normGradients, buffers);
            return qkv.backward(dQkv);
        }
        INDArray dq = buffers.get("dq", type, b, heads, t, headDim);
        INDArray dk = buffers.get("dk", type, b, heads, t, headDim);
        INDArray dv = buffers.get("dv", type, b, heads, t, headDim);
        Kernels.get().attentionBackward(q.reshape('c', bh, t, headDim), k.reshape('c', bh, t, headDim),
                v.reshape('c', bh, t, headDim), buffers.get("probs", type, bh, t, t), 1.0 / Math.sqrt(headDim),
                dMerged, dq.reshape('c', bh, t, headDim), dk.reshape('c', bh, t, headDim),
                dv.reshape('c', bh, t, headDim));
        Kernels.get().rope(dq.reshape('c', bh, t, headDim), rope.sin(), rope.cos(), rope.prefix(), true,
                dq.reshape('c', bh, t, headDim));
        Kernels.get().rope(dk.reshape('c', bh, t, headDim), rope.sin(), rope.cos(), rope.prefix(), true,
                dk.reshape('c', bh, t, headDim));
        if (qNorm != null) {
            Kernels.get().splitHeadsBackward(dq, dk, dv, qkvOut, qNorm.weight(), kNorm.weight(),
                    buffers.get("qkStats", type, 4, bh * t), dQkv, qNorm.weightGradient(), qNorm.biasGradient(),
                    kNorm.weightGradient(), kNorm.biasGradient());
        } else {
            Kernels.get().splitHeadsBackward(dq, dk, dv, qkvOut, null, null, null, dQkv, null, null, null, null);
        }
        return qkv.backward(dQkv);
    }
}
