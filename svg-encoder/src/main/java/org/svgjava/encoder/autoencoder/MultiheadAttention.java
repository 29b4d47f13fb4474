package org.svgjava.encoder.autoencoder;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.svgjava.core.kernels.Kernels;
import org.svgjava.core.nn.Layer;
import org.svgjava.core.nn.Linear;
import org.svgjava.core.nn.Module;
import org.svgjava.core.nn.SeededDropout;

/**
 * PyTorch's {@code nn.MultiheadAttention(dim, heads, dropout, batch_first=True)} used as self-attention, with its
 * state-dict names: {@code in_proj_weight} {@code [3D, D]} (rows q, k, v, each head-major), {@code in_proj_bias},
 * {@code out_proj.{weight,bias}}. The attention dropout acts on the softmax probabilities, in training only; it
 * is why this is not {@link org.svgjava.core.nn.Attention}, whose fused kernels have no place for it.
 */
public final class MultiheadAttention extends Module implements Layer {
    private final long dim;
    private final int heads;
    private final long headDim;
    private final Linear outProj;
    private final SeededDropout attnDrop;
    private INDArray x;
    private boolean dropped;

    public MultiheadAttention(long dim, int heads, double attentionDropout, long seed) {
        if (dim % heads != 0) {
            throw new IllegalArgumentException("width " + dim + " does not split into " + heads + " heads");
        }
        this.dim = dim;
        this.heads = heads;
        this.headDim = dim / heads;
        declareParameter("in_proj_weight", 3 * dim, dim);
        declareParameter("in_proj_bias", 3 * dim);
        outProj = addModule("out_proj", new Linear(dim, dim));
        // parameter-free: registered so train()/eval() reach it, adds no state-dict names
        attnDrop = addModule("attn_drop", new SeededDropout(attentionDropout, seed));
    }

    public INDArray inProjWeight() {
        return p("in_proj_weight");
    }

    public INDArray inProjBias() {
        return p("in_proj_bias");
    }

    public Linear outProj() {
        return outProj;
    }

    /** Restarts the attention-dropout mask stream (see {@link SeededDropout#reseed}). */
    public void reseed(long seed) {
        attnDrop.reseed(seed);
    }

    /** x {@code [B, T, D]} to {@code [B, T, D]}. */
    @Override
    public INDArray forward(INDArray input) {
        long b = input.size(0);
        long t = input.size(1);
        DataType type = input.dataType();
        INDArray xc = input.ordering() == 'c' && input.elementWiseStride() == 1 ? input : input.dup('c');
        INDArray qkv = buffers.get("qkv", type, b, t, 3 * dim);
        Linear.linear(xc.reshape('c', b * t, dim), p("in_proj_weight"), p("in_proj_bias"), qkv.reshape('c', b * t, 3 * dim));
        INDArray split = qkv.reshape('c', b, t, 3, heads, headDim);
        INDArray q = buffers.get("q", type, b, heads, t, headDim).assign(part(split, 0));
        INDArray k = buffers.get("k", type, b, heads, t, headDim).assign(part(split, 1));
        INDArray v = buffers.get("v", type, b, heads, t, headDim).assign(part(split, 2));
        long bh = b * heads;
        INDArray probs = buffers.get("probs", type, bh, t, t);
        INDArray o = buffers.get("o", type, b, heads, t, headDim);
        double scale = 1.0 / Math.sqrt(headDim);
        dropped = isTraining() && attnDrop.probability() > 0;
        if (!dropped) {
            Kernels.get().attention(r3(q, bh, t), r3(k, bh, t), r3(v, bh, t), scale, probs, r3(o, bh, t));
        } else {
            Nd4j.matmul(r3(q, bh, t), r3(k, bh, t), probs, false, true, false);
            probs.muli(scale);
            Kernels.get().softmax(probs.reshape('c', bh * t, t), probs.reshape('c', bh * t, t));
            // backward needs the probabilities before and after dropout
            INDArray kept = buffers.get("probsDropped", type, bh, t, t).assign(probs);
            attnDrop.applyInPlace(kept);
            Nd4j.matmul(kept, r3(v, bh, t), r3(o, bh, t), false, false, false);
        }
        INDArray merged = buffers.get("merged", type, b, t, dim);
        merged.reshape('c', b, t, heads, headDim).assign(o.permute(0, 2, 1, 3));
        x = storesActivations() ? xc : null;
        return outProj.forward(merged);
    }

    @Override
    public INDArray backward(INDArray dy) {
        stored(x);
        INDArray dMerged = outProj.backward(dy);
        long b = dMerged.size(0);
        long t = dMerged.size(1);
        long bh = b * heads;
        DataType type = dy.dataType();
        INDArray dO = buffers.get("dO", type, b, heads, t, headDim);
        dO.assign(dMerged.reshape('c', b, t, heads, headDim).permute(0, 2, 1, 3));
        INDArray q = buffers.get("q", type, b, heads, t, headDim);
        INDArray k = buffers.get("k", type, b, heads, t, headDim);
        INDArray v = buffers.get("v", type, b, heads, t, headDim);
        INDArray probs = buffers.get("probs", type, bh, t, t);
        INDArray dq = buffers.get("dq", type, b, heads, t, headDim);
        INDArray dk = buffers.get("dk", type, b, heads, t, headDim);
        INDArray dv = buffers.get("dv", type, b, heads, t, headDim);
        double scale = 1.0 / Math.sqrt(headDim);
        if (!dropped) {
            Kernels.get().attentionBackward(r3(q, bh, t), r3(k, bh, t), r3(v, bh, t), probs, scale, r3(dO, bh, t),
                    r3(dq, bh, t), r3(dk, bh, t), r3(dv, bh, t));
        } else {
            INDArray scratch = buffers.get("scratch", type, bh, t, t);
            INDArray kept = buffers.get("probsDropped", type, bh, t, t);
            Nd4j.matmul(kept, r3(dO, bh, t), r3(dv, bh, t), true, false, false);
            Nd4j.matmul(r3(dO, bh, t), r3(v, bh, t), scratch, false, true, false);
            attnDrop.backwardInPlace(scratch);
            Kernels.get().softmaxBackward(probs.reshape('c', bh * t, t), scratch.reshape('c', bh * t, t),
                    scratch.reshape('c', bh * t, t));
            scratch.muli(scale);
            Nd4j.matmul(scratch, r3(k, bh, t), r3(dq, bh, t), false, false, false);
            Nd4j.matmul(scratch, r3(q, bh, t), r3(dk, bh, t), true, false, false);
        }
        INDArray dQkv = buffers.get("dQkv", type, b, t, 3 * dim);
        INDArray split = dQkv.reshape('c', b, t, 3, heads, headDim);
        part(split, 0).assign(dq);
        part(split, 1).assign(dk);
        part(split, 2).assign(dv);
        INDArray dQkv2 = dQkv.reshape('c', b * t, 3 * dim);
        INDArray x2 = x.reshape('c', b * t, dim);
        if (g("in_proj_weight") != null) {
            Nd4j.gemm(dQkv2, x2, g("in_proj_weight"), true, false, 1.0, 1.0);
            g("in_proj_bias").addi(dQkv2.sum(0));
        }
        INDArray dx = buffers.get("dx", type, b, t, dim);
        Nd4j.gemm(dQkv2, p("in_proj_weight"), dx.reshape('c', b * t, dim), false, false, 1.0, 0.0);
        return dx;
    }

    private static INDArray r3(INDArray a, long bh, long t) {
        return a.reshape('c', bh, t, a.size(-1));
    }

    /** Part {@code i} (0 q, 1 k, 2 v) of a {@code [B, T, 3, H, dh]} array as a {@code [B, H, T, dh]} view. */
    private static INDArray part(INDArray split, int i) {
        INDArrayIndex all = NDArrayIndex.all();
        return split.get(all, all, NDArrayIndex.point(i), all, all).permute(0, 2, 1, 3);
    }
}
