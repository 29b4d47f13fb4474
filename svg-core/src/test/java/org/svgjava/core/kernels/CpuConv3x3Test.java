package org.svgjava.core.kernels;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.svgjava.core.nn.Conv2d;
import org.svgjava.core.testing.Allclose;

/**
 * The shifted-window 3x3 convolution against Conv2d's patch-matrix path in double precision, on sizes that are
 * nothing like the decoder's: non-square images, odd channel counts, a batch of 3, with and without bias, and
 * group and block sizes small enough that images are split over groups and columns over blocks, and with few enough
 * output channels for the taps-as-rows product.
 */
class CpuConv3x3Test {
    @ParameterizedTest
    @CsvSource({
        // in, out, h, w, bias, group floats, block floats
        "5, 7, 6, 9, true, 16777216, 1048576",
        "5, 7, 6, 9, false, 16777216, 1048576",
        "3, 4, 1, 1, true, 16777216, 1048576",
        "13, 6, 11, 4, true, 600, 70",
        "13, 6, 11, 4, false, 1, 1",
        "9, 17, 7, 5, true, 1200, 1000",
        // nine times out <= in: the taps-as-rows product
        "29, 3, 10, 7, true, 16777216, 1048576",
        "20, 2, 5, 8, false, 2000, 1048576"})
    void agreesWithThePatchMatrixPathInDouble(int in, int out, int h, int w, boolean bias, long group, long block) {
        Conv2d reference = new Conv2d(in, out, 3, 1, 1, bias);
        reference.build(DataType.DOUBLE);
        Nd4j.getRandom().setSeed(5);
        reference.parameters().flat().assign(Nd4j.rand(DataType.DOUBLE, reference.parameters().numel()).subi(0.5));
        INDArray x = Nd4j.rand(DataType.DOUBLE, 3, in, h, w).subi(0.5);
        INDArray expected = reference.forward(x);

        INDArray y = Nd4j.valueArrayOf(new long[] {3, out, h, w}, Float.NaN, DataType.FLOAT);
        INDArray weight = reference.weight().castTo(DataType.FLOAT);
        INDArray b = bias ? reference.bias().castTo(DataType.FLOAT) : null;
        assertThat(CpuConv3x3.supports(x.castTo(DataType.FLOAT), weight, b, y)).isTrue();
        CpuConv3x3.forward(x.castTo(DataType.FLOAT), weight, b, y, group, block);
        Allclose.assertRelClose("conv3x3", y.castTo(DataType.DOUBLE), expected, 1e-5);
    }

    @org.junit.jupiter.api.Test
    void refusesWhatItCannotCompute() {
        INDArray x = Nd4j.rand(DataType.FLOAT, 2, 3, 5, 5);
        INDArray w = Nd4j.rand(DataType.FLOAT, 4, 3, 3, 3);
        INDArray y = Nd4j.create(DataType.FLOAT, 2, 4, 5, 5);
        assertThat(CpuConv3x3.supports(x, w, null, y)).isTrue();
        assertThat(CpuConv3x3.supports(x.castTo(DataType.DOUBLE), w.castTo(DataType.DOUBLE), null,
                y.castTo(DataType.DOUBLE))).isFalse();
        assertThat(CpuConv3x3.supports(x.permute(0, 1, 3, 2), w, null, y)).isFalse();
        assertThat(CpuConv3x3.supports(x, Nd4j.rand(DataType.FLOAT, 4, 3, 1, 1), null, y)).isFalse();
    }
}
