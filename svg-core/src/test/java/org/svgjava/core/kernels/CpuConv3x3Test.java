package org.svgjava.core.kernels;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.svgjava.core.nn.Conv2d;
import org.svgjava.core.testing.Allclose;

/**
 * The shifted-window 3x3 convolution against Conv2d's patch-matrix path in double precision, on sizes that are
 * nothing like the decoder's: non-square images, odd channel counts, a batch of 3, with and without bias, and
 * group and block sizes small enough that images are split over groups and columns over blocks, and with few enough
 * output channels for the taps-as-rows product; and with the input maps (swish, nearest 2x) and a residual
 * against the convolution of the mapped input plus the residual.
 */
class CpuConv3x3Test {
    @ParameterizedTest
    @CsvSource({
        // in, out, h, w (of the convolution), input map, bias, residual, group floats, block floats
        "5, 7, 6, 9, AS_IS, true, false, 16777216, 1048576",
        "5, 7, 6, 9, AS_IS, false, true, 16777216, 1048576",
        "3, 4, 1, 1, AS_IS, true, false, 16777216, 1048576",
        "13, 6, 11, 4, AS_IS, true, true, 600, 70",
        "13, 6, 11, 4, AS_IS, false, false, 1, 1",
        "9, 17, 7, 5, AS_IS, true, true, 1200, 1000",
        // nine times out <= in: the taps-as-rows product
        "29, 3, 10, 7, AS_IS, true, false, 16777216, 1048576",
        "20, 2, 5, 8, AS_IS, false, true, 2000, 1048576",
        "5, 7, 6, 9, SILU, true, false, 16777216, 1048576",
        "29, 3, 10, 7, SILU, false, true, 2000, 1048576",
        "5, 7, 6, 10, NEAREST_2X, true, false, 16777216, 1048576",
        "13, 6, 2, 4, NEAREST_2X, false, true, 600, 70",
        "20, 2, 8, 6, NEAREST_2X, true, false, 2000, 1048576"})
    void agreesWithThePatchMatrixPathInDouble(int in, int out, int h, int w, ConvInput map, boolean bias,
                                              boolean residual, long group, long block) {
        Conv2d reference = new Conv2d(in, out, 3, 1, 1, bias);
        reference.build(DataType.DOUBLE);
        Nd4j.getRandom().setSeed(5);
        reference.parameters().flat().assign(Nd4j.rand(DataType.DOUBLE, reference.parameters().numel()).subi(0.5));
        INDArray x = Nd4j.rand(DataType.DOUBLE, 3, in, map.source(h), map.source(w)).subi(0.5).muli(6);
        INDArray skip = residual ? Nd4j.rand(DataType.DOUBLE, 3, out, h, w).subi(0.5) : null;
        INDArray expected = reference.forward(mapped(x, map, h, w));
        if (residual) {
            expected = expected.add(skip);
        }

        INDArray y = Nd4j.valueArrayOf(new long[] {3, out, h, w}, Float.NaN, DataType.FLOAT);
        INDArray weight = reference.weight().castTo(DataType.FLOAT);
        INDArray b = bias ? reference.bias().castTo(DataType.FLOAT) : null;
        INDArray xf = x.castTo(DataType.FLOAT);
        INDArray before = xf.dup();
        INDArray skipf = residual ? skip.castTo(DataType.FLOAT) : null;
        assertThat(CpuConv3x3.supports(xf, map, weight, b, skipf, y)).isTrue();
        CpuConv3x3.forward(xf, map, weight, b, skipf, y, group, block);
        Allclose.assertRelClose("conv3x3", y.castTo(DataType.DOUBLE), expected, 1e-5);
        assertThat(xf).isEqualTo(before);
    }

    /** map(x) by the definitions, in double: x * sigmoid(x), or each pixel repeated in a 2x2 square. */
    private static INDArray mapped(INDArray x, ConvInput map, int h, int w) {
        return switch (map) {
            case AS_IS -> x;
            case SILU -> x.mul(Transforms.sigmoid(x, true));
            case NEAREST_2X -> {
                INDArray up = Nd4j.create(DataType.DOUBLE, x.size(0), x.size(1), h, w);
                for (int i = 0; i < h; i++) {
                    for (int j = 0; j < w; j++) {
                        up.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.point(i), NDArrayIndex.point(j))
                                .assign(x.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.point(i / 2),
                                        NDArrayIndex.point(j / 2)));
                    }
                }
                yield up;
            }
        };
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
        assertThat(CpuConv3x3.supports(x, ConvInput.NEAREST_2X, w, null, null, y)).isFalse();
        assertThat(CpuConv3x3.supports(x, ConvInput.AS_IS, w, null, x, y)).isFalse();
    }
}
