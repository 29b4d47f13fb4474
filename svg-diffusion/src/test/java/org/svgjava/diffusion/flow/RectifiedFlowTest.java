package org.svgjava.diffusion.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

class RectifiedFlowTest {
    @Test
    void interpolatesEverySampleAtItsOwnTime() {
        INDArray z0 = Nd4j.rand(DataType.DOUBLE, 3, 4, 5).subi(0.5);
        INDArray z1 = Nd4j.rand(DataType.DOUBLE, 3, 4, 5).subi(0.5);
        double[] t = {0.0, 0.3, 1.0};
        INDArray zt = RectifiedFlow.interpolate(z0, z1, t, z0.ulike());
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 4; j++) {
                for (int k = 0; k < 5; k++) {
                    double expected = (1 - t[i]) * z0.getDouble(i, j, k) + t[i] * z1.getDouble(i, j, k);
                    assertThat(zt.getDouble(i, j, k)).isCloseTo(expected, org.assertj.core.data.Offset.offset(1e-15));
                }
            }
        }
    }

    @Test
    void lossGradientReachesDenseAndStridedOutputGradients() {
        INDArray out = Nd4j.rand(DataType.FLOAT, 2, 3, 8).subi(0.5);
        INDArray target = Nd4j.rand(DataType.FLOAT, 2, 3, 4).subi(0.5);
        INDArray dense = Nd4j.zeros(DataType.FLOAT, 2, 3, 8).addi(7);
        INDArray strided = Nd4j.zeros(DataType.FLOAT, 2, 3, 16).addi(7).get(NDArrayIndex.all(), NDArrayIndex.all(),
                NDArrayIndex.interval(0, 8));
        double n = target.length();
        double sum = 0;
        INDArray expected = Nd4j.zeros(DataType.FLOAT, 2, 3, 8);
        for (int i = 0; i < 2; i++) {
            for (int j = 0; j < 3; j++) {
                for (int k = 0; k < 4; k++) {
                    double d = out.getDouble(i, j, k) - target.getDouble(i, j, k);
                    sum += d * d;
                    expected.putScalar(new long[] {i, j, k}, 2 / n * d);
                }
            }
        }
        // tokens 0-2 of 4: rows that cannot be merged into one [N*T, W] matrix without a copy
        INDArray tokenView = Nd4j.zeros(DataType.FLOAT, 2, 4, 8).addi(7).get(NDArrayIndex.all(),
                NDArrayIndex.interval(0, 3), NDArrayIndex.all());
        for (INDArray dOut : new INDArray[] {dense, strided, tokenView}) {
            assertThat(RectifiedFlow.loss(out, target, dOut)).isCloseTo(sum / n, org.assertj.core.data.Offset.offset(1e-6));
            org.svgjava.core.testing.Allclose.assertAllclose("dOut", dOut, expected, 1e-5, 1e-7);
        }
    }

    @Test
    void refusesAStridedDestination() {
        INDArray z = Nd4j.rand(DataType.FLOAT, 2, 3, 8);
        INDArray strided = Nd4j.create(DataType.FLOAT, 2, 3, 16).get(NDArrayIndex.all(), NDArrayIndex.all(),
                NDArrayIndex.interval(0, 8));
        assertThatThrownBy(() -> RectifiedFlow.interpolate(z, z, new double[] {0.1, 0.2}, strided))
                .hasMessageContaining("dense C-order");
    }
}
