package org.svgjava.diffusion.flow;

import org.nd4j.linalg.api.ndarray.INDArray;
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

    /** {@code z_t = (1 - t) z0 + t z1} per sample, into {@code zt}. */
    public static INDArray interpolate(INDArray z0, INDArray z1, double[] t, INDArray zt) {
        for (int i = 0; i < t.length; i++) {
            zt.slice(i).assign(z0.slice(i)).muli(1 - t[i]).addi(z1.slice(i).mul(t[i]));
        }
        return zt;
    }

    /**
     * The loss for model output {@code out [N, T, C or 2C]} against {@code target = z1 - z0 [N, T, C]}, writing
     * dL/d(out) into {@code dOut} (zero on the sigma half).
     */
    public static double loss(INDArray out, INDArray target, INDArray dOut) {
        long c = target.size(2);
        INDArray v = out.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(0, c));
        INDArray grad = dOut.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(0, c));
        if (out.size(2) != c) {
            dOut.assign(0);
        }
        double n = target.length();
        return Kernels.get().squaredError(v, target, 2.0 / n, grad) / n;
    }
}
