package org.svgjava.encoder.decoder;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.svgjava.core.kernels.Kernels;
import org.svgjava.core.nn.Conv2d;
import org.svgjava.core.nn.GroupNorm;
import org.svgjava.core.nn.Layer;
import org.svgjava.core.nn.Module;

/**
 * The LDM {@code AttnBlock}: single-head self-attention over the H*W positions with 1x1-conv projections,
 * <pre>
 * hn = norm(x); q, k, v = q(hn), k(hn), v(hn)                      # [B, C, N]
 * w = softmax(q^T k * C^-0.5, over keys);  out = v w^T              # [B, C, N]
 * return x + proj_out(out)
 * </pre>
 * The products are written on the channel-first layout directly (transposed GEMMs), so nothing is permuted.
 */
public final class AttnBlock extends Module implements Layer {
    private final int channels;
    private final GroupNorm norm;
    private final Conv2d q;
    private final Conv2d k;
    private final Conv2d v;
    private final Conv2d projOut;
    private INDArray qOut;
    private INDArray kOut;
    private INDArray vOut;

    public AttnBlock(int channels) {
        this.channels = channels;
        norm = addModule("norm", new GroupNorm(32, channels, 1e-6));
        q = addModule("q", new Conv2d(channels, channels, 1, 1, 0));
        k = addModule("k", new Conv2d(channels, channels, 1, 1, 0));
        v = addModule("v", new Conv2d(channels, channels, 1, 1, 0));
        projOut = addModule("proj_out", new Conv2d(channels, channels, 1, 1, 0));
    }

    @Override
    public INDArray forward(INDArray x) {
        long b = x.size(0);
        long n = x.size(2) * x.size(3);
        DataType type = x.dataType();
        INDArray hn = norm.forward(x);
        qOut = q.forward(hn);
        kOut = k.forward(hn);
        vOut = v.forward(hn);
        INDArray probs = buffers.get("probs", type, b, n, n);
        Nd4j.matmul(flat(qOut, b, n), flat(kOut, b, n), probs, true, false, false);
        probs.muli(scale());
        Kernels.get().softmax(probs.reshape('c', b * n, n), probs.reshape('c', b * n, n));
        INDArray o = buffers.like("o", x);
        Nd4j.matmul(flat(vOut, b, n), probs, flat(o, b, n), false, true, false);
        // proj_out keeps its input only: the residual sum can live in its output buffer
        return projOut.forward(o).addi(x);
    }

    @Override
    public INDArray backward(INDArray dout) {
        stored(qOut);
        long b = dout.size(0);
        long n = dout.size(2) * dout.size(3);
        DataType type = dout.dataType();
        INDArray dO = projOut.backward(dout);
        INDArray probs = buffers.get("probs", type, b, n, n);
        INDArray dv = buffers.like("dv", dO);
        Nd4j.matmul(flat(dO, b, n), probs, flat(dv, b, n), false, false, false);
        INDArray dS = buffers.get("dS", type, b, n, n);
        Nd4j.matmul(flat(dO, b, n), flat(vOut, b, n), dS, true, false, false);
        Kernels.get().softmaxBackward(probs.reshape('c', b * n, n), dS.reshape('c', b * n, n), dS.reshape('c', b * n, n));
        dS.muli(scale());
        INDArray dq = buffers.like("dq", dO);
        Nd4j.matmul(flat(kOut, b, n), dS, flat(dq, b, n), false, true, false);
        INDArray dk = buffers.like("dk", dO);
        Nd4j.matmul(flat(qOut, b, n), dS, flat(dk, b, n), false, false, false);
        INDArray dhn = buffers.like("dhn", dO).assign(q.backward(dq)).addi(k.backward(dk)).addi(v.backward(dv));
        return norm.backward(dhn).addi(dout);
    }

    private double scale() {
        return Math.pow(channels, -0.5);
    }

    private static INDArray flat(INDArray a, long b, long n) {
        return a.reshape('c', b, a.size(1), n);
    }
}
