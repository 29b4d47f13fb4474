package org.svgjava.core.testing;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

class GradientCheckTest {
    /** y = tanh(x W^T + b), with a correct backward, or one that forgets the tanh derivative. */
    static final class Dense implements Differentiable {
        final INDArray w = Nd4j.rand(DataType.DOUBLE, 3, 4).subi(0.5);
        final INDArray b = Nd4j.rand(DataType.DOUBLE, 3).subi(0.5);
        final INDArray gw = Nd4j.zeros(DataType.DOUBLE, 3, 4);
        final INDArray gb = Nd4j.zeros(DataType.DOUBLE, 3);
        final boolean broken;
        INDArray x;
        INDArray y;

        Dense(boolean broken) {
            this.broken = broken;
        }

        @Override
        public INDArray forward(INDArray input) {
            x = input;
            y = Transforms.tanh(input.mmul(w.transpose()).addRowVector(b));
            return y;
        }

        @Override
        public INDArray backward(INDArray dy) {
            INDArray dz = broken ? dy : dy.mul(y.mul(y).rsub(1));
            gw.addi(dz.transpose().mmul(x));
            gb.addi(dz.sum(0));
            return dz.mmul(w);
        }

        @Override
        public Map<String, INDArray> parameters() {
            return Map.of("weight", w, "bias", b);
        }

        @Override
        public Map<String, INDArray> gradients() {
            return Map.of("weight", gw, "bias", gb);
        }
    }

    @Test
    void acceptsACorrectBackward() {
        Nd4j.getRandom().setSeed(3);
        GradientCheck.check(new Dense(false), Nd4j.rand(DataType.DOUBLE, 5, 4).subi(0.5));
    }

    @Test
    void rejectsAWrongBackwardAndSaysWhere() {
        Nd4j.getRandom().setSeed(3);
        assertThatThrownBy(() -> GradientCheck.check(new Dense(true), Nd4j.rand(DataType.DOUBLE, 5, 4).subi(0.5)))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("input[").hasMessageContaining("weight[").hasMessageContaining("analytic");
    }

    @Test
    void refusesSinglePrecision() {
        assertThatThrownBy(() -> GradientCheck.check(new Dense(false), Nd4j.rand(DataType.FLOAT, 5, 4)))
                .hasMessageContaining("DOUBLE");
    }
}
