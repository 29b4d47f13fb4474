package org.svgjava.encoder.loss;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * taming's GAN losses on discriminator logits, with their gradients: the generator's {@code g_loss =
 * -mean(D(x_rec))} and the discriminator's {@code hinge_d_loss = 0.5 (mean(relu(1 - D(x))) + mean(relu(1 +
 * D(x_rec))))}. Gradients of relu at 0 are 0, as PyTorch's.
 */
public final class HingeLoss {
    private HingeLoss() {
    }

    /** {@code -mean(logitsFake)}; writes dL/dlogits ({@code -1/n} everywhere) into {@code dLogits} if non-null. */
    public static double generator(INDArray logitsFake, INDArray dLogits) {
        double n = logitsFake.length();
        if (dLogits != null) {
            dLogits.assign(-1.0 / n);
        }
        return -logitsFake.sumNumber().doubleValue() / n;
    }

    /** The real half, {@code 0.5 mean(relu(1 - logits))}, scaled by {@code factor}; gradient into dLogits if non-null. */
    public static double real(INDArray logitsReal, double factor, INDArray dLogits) {
        return half(logitsReal, -1, factor, dLogits);
    }

    /** The fake half, {@code 0.5 mean(relu(1 + logits))}, scaled by {@code factor}; gradient into dLogits if non-null. */
    public static double fake(INDArray logitsFake, double factor, INDArray dLogits) {
        return half(logitsFake, 1, factor, dLogits);
    }

    /** {@code factor * 0.5 * mean(relu(1 + sign * logits))}. */
    private static double half(INDArray logits, double sign, double factor, INDArray dLogits) {
        double n = logits.length();
        INDArray margin = logits.mul(sign).addi(1);
        if (dLogits != null) {
            // d/dlogit relu(1 + s*l) = s where the margin is positive
            dLogits.assign(margin.gt(0).castTo(logits.dataType())).muli(factor * 0.5 * sign / n);
        }
        return factor * 0.5 * Transforms.relu(margin, false).sumNumber().doubleValue() / n;
    }
}
