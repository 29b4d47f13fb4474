package org.svgjava.core.nn;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

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

    @Override
    public INDArray backward(INDArray dy) {
        stored(x);
        INDArray dy2 = Shapes.rows(dy, out);
        INDArray x2 = Shapes.rows(x, in);
        if (g("weight") != null) {
            Nd4j.gemm(dy2, x2, g("weight"), true, false, 1.0, 1.0);
            if (bias) {
                INDArray ones = ones(dy2.size(0), dy.dataType());
                if (biasMask) {
                    INDArray db = buffers.get("db", dy.dataType(), 1, out);
                    Nd4j.gemm(ones, dy2, db, false, false, 1.0, 0.0);
                    g("bias").addi(db.reshape(out).muli(p("bias_mask")));
                } else {
                    Nd4j.gemm(ones, dy2, g("bias").reshape(1, out), false, false, 1.0, 1.0);
                }
            }
        }
        INDArray dx = buffers.get("dx", dy.dataType(), x.shape());
        Nd4j.gemm(dy2, p("weight"), Shapes.rows(dx, in), false, false, 1.0, 0.0);
        return dx;
    }

    /** The stateless function: {@code y = x W^T + b} for x {@code [N, in]} into y {@code [N, out]}; b may be null. */
    public static void linear(INDArray x, INDArray w, INDArray b, INDArray y) {
        Nd4j.gemm(x, w, y, false, true, 1.0, 0.0);
        if (b != null) {
            y.addiRowVector(b);
        }
    }

    private INDArray effectiveBias(org.nd4j.linalg.api.buffer.DataType type) {
        if (!biasMask) {
            return bias();
        }
        return buffers.get("effectiveBias", type, out).assign(p("bias")).muli(p("bias_mask"));
    }

    private INDArray ones(long n, org.nd4j.linalg.api.buffer.DataType type) {
        INDArray o = buffers.get("ones", type, 1, n);
        if (o.getDouble(0) != 1.0 || o.getDouble(n - 1) != 1.0) {
            o.assign(1);
        }
        return o;
    }
}
