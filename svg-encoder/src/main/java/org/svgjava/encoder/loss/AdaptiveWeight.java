package org.svgjava.encoder.loss;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * taming's balancing of the GAN term: {@code d_weight = clamp(||dnll/dW|| / (||dg/dW|| + 1e-4), 0, 1e4) *
 * disc_weight} with W the decoder's last-layer weight (detached: a constant of the step), and the switch
 * {@code adopt_weight} that turns the GAN term on from {@code disc_start}.
 */
public final class AdaptiveWeight {
    private AdaptiveWeight() {
    }

    public static double of(INDArray nllGrad, INDArray gGrad, double discWeight) {
        double ratio = nllGrad.norm2Number().doubleValue() / (gGrad.norm2Number().doubleValue() + 1e-4);
        return Math.min(Math.max(ratio, 0.0), 1e4) * discWeight;
    }

    /** {@code adopt_weight}: {@code value} from {@code threshold} on, 0 before. */
    public static double adopt(double value, long globalStep, long threshold) {
        return globalStep < threshold ? 0.0 : value;
    }
}
