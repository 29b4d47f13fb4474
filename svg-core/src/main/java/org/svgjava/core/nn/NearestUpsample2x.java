package org.svgjava.core.nn;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** {@code F.interpolate(x, scale_factor=2, mode="nearest")} on {@code [B, C, H, W]}. */
public final class NearestUpsample2x extends Module implements Layer {
    @Override
    public INDArray forward(INDArray x) {
        long b = x.size(0);
        long c = x.size(1);
        long h = x.size(2);
        long w = x.size(3);
        INDArray y = buffers.get("y", x.dataType(), b, c, 2 * h, 2 * w);
        // y viewed as [B, C, H, 2, W, 2]: every (dy, dx) copy is x itself
        INDArray y6 = y.reshape('c', b, c, h, 2, w, 2);
        for (int dy = 0; dy < 2; dy++) {
            for (int dx = 0; dx < 2; dx++) {
                y6.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.point(dy),
                        NDArrayIndex.all(), NDArrayIndex.point(dx)).assign(x);
            }
        }
        return y;
    }

    @Override
    public INDArray backward(INDArray dy) {
        long b = dy.size(0);
        long c = dy.size(1);
        long h = dy.size(2) / 2;
        long w = dy.size(3) / 2;
        INDArray dx = buffers.get("dx", dy.dataType(), b, c, h, w);
        dx.assign(dy.reshape('c', b, c, h, 2, w, 2).sum(3, 5));
        return dx;
    }
}
