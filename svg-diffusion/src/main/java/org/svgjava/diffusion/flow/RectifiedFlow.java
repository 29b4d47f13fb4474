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
        if (!Shape.hasDefaultStridesForShape(zt) || zt.ordering() != 'c') {
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
        long width = out.size(2);
        long rows = out.length() / width;
        // as [rows, C] column blocks of [rows, width] matrices, which the CPU kernels take without a copy
        INDArray v = out.reshape('c', rows, width).get(NDArrayIndex.all(), NDArrayIndex.interval(0, c));
        INDArray grad = dOut.reshape('c', rows, width).get(NDArrayIndex.all(), NDArrayIndex.interval(0, c));
        if (width != c) {
            Kernels.get().zero(dOut);
        }
        double n = target.length();
        return Kernels.get().squaredError(v, target.reshape('c', rows, c), 2.0 / n, grad) / n;
    }
}
