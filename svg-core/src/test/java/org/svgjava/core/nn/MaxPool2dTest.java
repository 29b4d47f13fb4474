package org.svgjava.core.nn;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.svgjava.core.testing.GradientCheck;
import org.svgjava.core.testing.ModuleCheck;

class MaxPool2dTest {
    @Test
    void vggPoolTakesTheMaximumOfEachTwoByTwoWindowAndFloorsOddSizes() {
        MaxPool2d pool = new MaxPool2d(2, 2);
        pool.build(DataType.FLOAT);
        INDArray x = Nd4j.createFromArray(new float[][][][] {{{
            {1, 5, 2, 0, 9},
            {3, 4, 8, 1, 9},
            {0, 0, 7, 7, 9},
            {6, 0, 7, 7, 9},
            {9, 9, 9, 9, 9}}}});
        INDArray y = pool.forward(x);
        assertThat(y.shape()).containsExactly(1, 1, 2, 2);
        assertThat(y.reshape(4).toFloatVector()).containsExactly(5, 8, 6, 7);
        // ties: the first element of the window (row-major) receives the gradient, as in PyTorch
        INDArray dx = pool.backward(Nd4j.createFromArray(new float[] {1, 2, 3, 4}).reshape(1, 1, 2, 2));
        assertThat(dx.getFloat(0, 0, 2, 2)).isEqualTo(4f);
        assertThat(dx.sumNumber().floatValue()).isEqualTo(10f);
        assertThat(dx.getFloat(0, 0, 2, 3) + dx.getFloat(0, 0, 3, 2) + dx.getFloat(0, 0, 3, 3)).isZero();
    }

    @ParameterizedTest
    @CsvSource({"2,2", "3,2", "3,1"})
    void backwardMatchesFiniteDifferences(int k, int s) {
        MaxPool2d pool = new MaxPool2d(k, s);
        pool.build(DataType.DOUBLE);
        Nd4j.getRandom().setSeed(3);
        GradientCheck.check(ModuleCheck.of(pool), Nd4j.rand(DataType.DOUBLE, 2, 3, 7, 6));
    }
}
