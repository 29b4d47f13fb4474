package org.svgjava.core.nn;

import org.nd4j.linalg.api.ndarray.INDArray;

/** {@code y = x * gamma} over the last dimension (DINOv3's {@code ls1}, {@code ls2}). */
public final class LayerScale extends Module implements Layer {
    private final long dim;
    private INDArray x;

    public LayerScale(long dim) {
        this.dim = dim;
        declareParameter("gamma", dim);
    }

    @Override
    public INDArray forward(INDArray input) {
        INDArray y = buffers.like("y", input);
        Shapes.rows(y, dim).assign(Shapes.rows(input, dim).mulRowVector(p("gamma")));
        x = storesActivations() ? input : null;
        return y;
    }

    @Override
    public INDArray backward(INDArray dy) {
        stored(x);
        INDArray dy2 = Shapes.rows(dy, dim);
        if (g("gamma") != null) {
            g("gamma").addi(dy2.mul(Shapes.rows(x, dim)).sum(0));
        }
        INDArray dx = buffers.like("dx", dy);
        Shapes.rows(dx, dim).assign(dy2.mulRowVector(p("gamma")));
        return dx;
    }
}
