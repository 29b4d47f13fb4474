package org.svgjava.encoder.loss;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.svgjava.core.testing.Differentiable;
import org.svgjava.core.testing.GradientCheck;

class HingeLossTest {
    private static final INDArray LOGITS = Nd4j.createFromArray(new double[] {-2.5, -0.5, 0.3, 1.7, 0.9, -1.2}).reshape(2, 1, 1, 3);

    @Test
    void valuesFollowTamingsHingeAndGeneratorLosses() {
        assertThat(HingeLoss.generator(LOGITS, null)).isCloseTo(-(-2.5 - 0.5 + 0.3 + 1.7 + 0.9 - 1.2) / 6, within(1e-15));
        double real = (3.5 + 1.5 + 0.7 + 0 + 0.1 + 2.2) / 6;
        double fake = (0 + 0.5 + 1.3 + 2.7 + 1.9 + 0) / 6;
        assertThat(HingeLoss.real(LOGITS, 1, null)).isCloseTo(0.5 * real, within(1e-15));
        assertThat(HingeLoss.fake(LOGITS, 1, null)).isCloseTo(0.5 * fake, within(1e-15));
        assertThat(HingeLoss.real(LOGITS, 0, null) + HingeLoss.fake(LOGITS, 0, null)).isZero();
    }

    /** A scalar loss of the logits as a Differentiable whose output is that scalar. */
    private static Differentiable scalar(java.util.function.BiFunction<INDArray, INDArray, Double> loss) {
        return new Differentiable() {
            private INDArray grad;

            @Override
            public INDArray forward(INDArray logits) {
                grad = logits.ulike();
                return Nd4j.scalar(DataType.DOUBLE, loss.apply(logits, grad)).reshape(1);
            }

            @Override
            public INDArray backward(INDArray dy) {
                return grad.muli(dy.getDouble(0));
            }
        };
    }

    @Test
    void gradientsMatchFiniteDifferencesAwayFromTheHinge() {
        GradientCheck.check(scalar(HingeLoss::generator), LOGITS);
        GradientCheck.check(scalar((l, g) -> HingeLoss.real(l, 0.7, g)), LOGITS);
        GradientCheck.check(scalar((l, g) -> HingeLoss.fake(l, 0.7, g)), LOGITS);
    }
}
