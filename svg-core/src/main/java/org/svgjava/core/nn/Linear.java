package org.svgjava.core.nn;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.svgjava.core.kernels.Kernels;

/**
 * {@code y = x W^T + b} over the last dimension, PyTorch's {@code nn.Linear}: weight {@code [out, in]}, bias
 * {@code [out]}. Inputs of any rank {@code [..., in]}. Optionally the bias is multiplied by a fixed
 * {@code bias_mask} (DINOv3's {@code LinearKMaskedBias}, which switches off the k part of the qkv bias).
 */
public final class Linear extends Module implements Layer {
    private final long in;
    private final long out;
    private final boolean bias;
    private final boolean biasMask;
    private INDArray x;

    public Linear(long in, long out, boolean bias) {
        this(in, out, bias, false);
    }

    /** With {@code biasMask}, the effective bias is {@code bias * bias_mask} and {@code bias_mask} is a weight. */
    public Linear(long in, long out, boolean bias, boolean biasMask) {
        if (biasMask && !bias) {
            throw new IllegalArgumentException("a bias mask needs a bias");
        }
        this.in = in;
        this.out = out;
        this.bias = bias;
        this.biasMask = biasMask;
        declareParameter("weight", out, in);
        if (bias) {
            declareParameter("bias", out);
        }
        if (biasMask) {
            declareParameter("bias_mask", out);
        }
    }

    public Linear(long in, long out) {
        this(in, out, true);
    }

    public long inFeatures() {
        return in;
    }

    public long outFeatures() {
        return out;
    }

    public INDArray weight() {
        return p("weight");
    }

    /** The bias view, or null for a layer without bias. */
    public INDArray bias() {
        return bias ? p("bias") : null;
    }

    @Override
    public INDArray forward(INDArray input) {
        INDArray y = buffers.get("y", input.dataType(), Shapes.withLast(input, out));
        linear(Shapes.rows(input, in), p("weight"), effectiveBias(input.dataType()), Shapes.rows(y, out));
        x = storesActivations() ? input : null;
        return y;
    }

    /**
     * The bias gradient, for a caller that adds this layer's output-gradient column sums itself (see
     * {@link #backward(INDArray, boolean)}); null without a bias, with a bias mask, or without gradients.
     */
    public INDArray biasGradient() {
        return bias && !biasMask ? g("bias") : null;
    }

    @Override
    public INDArray backward(INDArray dy) {
        return backward(dy, false);
    }

    /**
     * With {@code biasGradientAdded}, the caller has already added the column sums of dy into
     * {@link #biasGradient()} (computed where dy was made, while it was in cache), so they are not summed again.
     */
    public INDArray backward(INDArray dy, boolean biasGradientAdded) {
        stored(x);
        INDArray dx = buffers.get("dx", dy.dataType(), x.shape());
        INDArray db = null;
        // a masked bias never has its sums added by the caller (biasGradient() is null for it)
        boolean added = biasGradientAdded && !biasMask;
        if (bias && g("bias") != null && !added) {
            // the masked bias gets its gradient through the mask: sum into a scratch row first
            db = biasMask ? buffers.get("db", dy.dataType(), out).assign(0) : g("bias");
        }
        Kernels.get().linearBackward(Shapes.rows(dy, out), Shapes.rows(x, in), p("weight"), Shapes.rows(dx, in),
                g("weight"), db);
        if (biasMask && db != null) {
            g("bias").addi(db.muli(p("bias_mask")));
        }
        return dx;
    }

    /** The stateless function: {@code y = x W^T + b} for x {@code [N, in]} into y {@code [N, out]}; b may be null. */
    public static void linear(INDArray x, INDArray w, INDArray b, INDArray y) {
        Kernels.get().linear(x, w, b, y);
    }

    private INDArray effectiveBias(org.nd4j.linalg.api.buffer.DataType type) {
        if (!biasMask) {
            return bias();
        }
        return buffers.get("effectiveBias", type, out).assign(p("bias")).muli(p("bias_mask"));
    }
}
