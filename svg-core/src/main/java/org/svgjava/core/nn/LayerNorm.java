package org.svgjava.core.nn;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.svgjava.core.kernels.Kernels;

/**
 * LayerNorm over the last dimension, PyTorch's {@code nn.LayerNorm(dim, eps, elementwise_affine)}: weight and bias
 * {@code [dim]} when affine (DiT's block norms are not, with eps 1e-6; ViT norms are, with 1e-5 or 1e-6).
 */
public final class LayerNorm extends Module implements Layer {
    private final long dim;
    private final double eps;
    private final boolean affine;
    private INDArray x;

    public LayerNorm(long dim, double eps, boolean affine) {
        this.dim = dim;
        this.eps = eps;
        this.affine = affine;
        if (affine) {
            declareParameter("weight", dim);
            declareParameter("bias", dim);
        }
    }

    double eps() {
        return eps;
    }

    /** The affine weight, bias and their gradients (null when frozen), for layers that fuse this norm. */
    INDArray weight() {
        return p("weight");
    }

    INDArray bias() {
        return p("bias");
    }

    INDArray weightGradient() {
        return g("weight");
    }

    INDArray biasGradient() {
        return g("bias");
    }

    /** Sets weight 1 and bias 0, PyTorch's initialisation. */
    public void resetParameters() {
        if (affine) {
            p("weight").assign(1);
            p("bias").assign(0);
        }
    }

    @Override
    public INDArray forward(INDArray input) {
        long n = input.length() / dim;
        INDArray y = buffers.like("y", input);
        INDArray mean = buffers.get("mean", input.dataType(), n);
        INDArray rstd = buffers.get("rstd", input.dataType(), n);
        Kernels.get().layerNorm(Shapes.rows(input, dim), affine ? p("weight") : null, affine ? p("bias") : null, eps,
                Shapes.rows(y, dim), mean, rstd);
        x = storesActivations() ? input : null;
        return y;
    }

    @Override
    public INDArray backward(INDArray dy) {
        stored(x);
        long n = x.length() / dim;
        INDArray dx = buffers.like("dx", x);
        Kernels.get().layerNormBackward(Shapes.rows(dy, dim), Shapes.rows(x, dim), affine ? p("weight") : null,
                buffers.get("mean", x.dataType(), n), buffers.get("rstd", x.dataType(), n), Shapes.rows(dx, dim),
                affine ? g("weight") : null, affine ? g("bias") : null);
        return dx;
    }
}
