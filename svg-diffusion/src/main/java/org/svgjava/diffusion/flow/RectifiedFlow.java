package org.svgjava.diffusion.flow;

import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.Shape;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.svgjava.core.kernels.Kernels;

/**
 * The rectified-flow objective of the official {@code RectifiedFlow.forward}: data z1, noise z0, time
 * {@code t = shift(u)} with u ~ U(0, 1), state {@code z_t = (1 - t) z0 + t z1}, velocity target {@code z1 - z0},
 * loss {@code mean((v - (z1 - z0))^2)} over the first C output channels (the learn_sigma half gets no gradient).
 */
public final class RectifiedFlow {
    private RectifiedFlow() {
    }

    /** Shifted times from uniform draws. */
    public static double[] times(double[] u, double shift) {
        double[] t = new double[u.length];
        for (int i = 0; i < u.length; i++) {
            t[i] = (float) TimeShift.apply(u[i], shift);
        }
        return t;
    }

    /**
     * {@code z_t = (1 - t) z0 + t z1} per sample, into {@code zt} (dense C order). The times go in as columns of
     * the samples' rows: four ND4J ops per sample took 4-9 ms of a batch-64 stage-2 step of the demo.
     */
    public static INDArray interpolate(INDArray z0, INDArray z1, double[] t, INDArray zt) {
        int n = t.length;
        if (!dense(zt)) {
            throw new IllegalArgumentException("zt must be a dense C-order array, got strides "
                    + Arrays.toString(zt.stride()));
        }
        INDArray keep = Nd4j.create(zt.dataType(), n, 1);
        INDArray take = Nd4j.create(zt.dataType(), n, 1);
        for (int i = 0; i < n; i++) {
            keep.putScalar(i, 1 - t[i]);
            take.putScalar(i, t[i]);
        }
        long width = zt.length() / n;
        zt.reshape('c', n, width).assign(z0.reshape('c', n, width)).muliColumnVector(keep)
                .addi(z1.reshape('c', n, width).mulColumnVector(take));
        return zt;
    }

    /**
     * The loss for model output {@code out [N, T, C or 2C]} against {@code target = z1 - z0 [N, T, C]}, writing
     * dL/d(out) into {@code dOut} (zero on the sigma half).
     */
    public static double loss(INDArray out, INDArray target, INDArray dOut) {
        long c = target.size(2);
        boolean flat = dense(out) && dense(dOut);
        INDArray v = firstChannels(out, c, flat);
        INDArray grad = firstChannels(dOut, c, flat);
        if (out.size(2) != c) {
            Kernels.get().zero(dOut);
        }
        double n = target.length();
        return Kernels.get().squaredError(v, target.reshape('c', v.shape()), 2.0 / n, grad) / n;
    }

    /**
     * The first c channels of {@code a [N, T, W]}: with {@code flat}, as {@code [N*T, c]} column blocks of its
     * {@code [N*T, W]} rows, which the CPU kernels take as they lie (the strided {@code [N, T, c]} view went to the
     * portable ones); else as that view, since reshaping a strided array copies it and a gradient written into the
     * copy would be lost.
     */
    private static INDArray firstChannels(INDArray a, long c, boolean flat) {
        if (!flat) {
            return a.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(0, c));
        }
        long width = a.size(2);
        return a.reshape('c', a.length() / width, width).get(NDArrayIndex.all(), NDArrayIndex.interval(0, c));
    }

    private static boolean dense(INDArray a) {
        return Shape.hasDefaultStridesForShape(a) && a.ordering() == 'c';
    }
}
