package org.svgjava.core.nn;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.svgjava.core.testing.Allclose;
import org.svgjava.core.testing.GradientCheck;
import org.svgjava.core.testing.ModuleCheck;

class ConvTest {
    static Conv2d conv(int in, int out, int k, int s, int p, DataType type) {
        Conv2d c = new Conv2d(in, out, k, s, p);
        c.build(type);
        Nd4j.getRandom().setSeed(11);
        c.parameters().flat().assign(Nd4j.rand(type, c.parameters().numel()).subi(0.5));
        return c;
    }

    /** The textbook definition, in double loops. */
    static double[] naive(INDArray x, INDArray w, INDArray b, int s, int p) {
        int bn = (int) x.size(0), c = (int) x.size(1), h = (int) x.size(2), wd = (int) x.size(3);
        int o = (int) w.size(0), k = (int) w.size(2);
        int ho = (h + 2 * p - k) / s + 1, wo = (wd + 2 * p - k) / s + 1;
        double[] out = new double[bn * o * ho * wo];
        int idx = 0;
        for (int n = 0; n < bn; n++) {
            for (int oc = 0; oc < o; oc++) {
                for (int i = 0; i < ho; i++) {
                    for (int j = 0; j < wo; j++) {
                        double acc = b.getDouble(oc);
                        for (int ic = 0; ic < c; ic++) {
                            for (int ki = 0; ki < k; ki++) {
                                for (int kj = 0; kj < k; kj++) {
                                    int ih = i * s - p + ki, iw = j * s - p + kj;
                                    if (ih >= 0 && ih < h && iw >= 0 && iw < wd) {
                                        acc += x.getDouble(n, ic, ih, iw) * w.getDouble(oc, ic, ki, kj);
                                    }
                                }
                            }
                        }
                        out[idx++] = acc;
                    }
                }
            }
        }
        return out;
    }

    @ParameterizedTest
    @CsvSource({"3,4,3,1,1", "2,3,4,2,1", "4,5,1,1,0", "3,2,3,2,0", "2,2,16,16,0"})
    void forwardMatchesTheDefinitionAndBackwardMatchesFiniteDifferences(int in, int out, int k, int s, int p) {
        int hw = k == 16 ? 32 : 7;
        Conv2d c = conv(in, out, k, s, p, DataType.DOUBLE);
        INDArray x = Nd4j.rand(DataType.DOUBLE, 2, in, hw, hw).subi(0.5);
        INDArray y = c.forward(x);
        INDArray expected = Nd4j.create(naive(x, c.weight(), c.bias(), s, p), y.shape(), 'c');
        Allclose.assertRelClose("conv", y, expected, 1e-12);
        GradientCheck.check(ModuleCheck.of(c), x);
    }

    @ParameterizedTest
    @CsvSource({"3,4,3,1,1", "2,3,4,2,1", "4,5,1,1,0", "3,2,3,2,0"})
    void floatPathAgreesWithDouble(int in, int out, int k, int s, int p) {
        Conv2d d = conv(in, out, k, s, p, DataType.DOUBLE);
        Conv2d f = new Conv2d(in, out, k, s, p);
        f.build(DataType.FLOAT);
        f.parameters().flat().assign(d.parameters().flat().castTo(DataType.FLOAT));
        INDArray x = Nd4j.rand(DataType.DOUBLE, 2, in, 9, 7).subi(0.5);
        Allclose.assertRelClose("forward", f.forward(x.castTo(DataType.FLOAT)), d.forward(x), 1e-5);
        INDArray dy = Nd4j.rand(DataType.DOUBLE, d.forward(x).shape()).subi(0.5);
        d.forward(x);
        INDArray dxd = d.backward(dy).dup();
        f.forward(x.castTo(DataType.FLOAT));
        INDArray dxf = f.backward(dy.castTo(DataType.FLOAT));
        Allclose.assertRelClose("dx", dxf, dxd, 1e-5);
        Allclose.assertRelClose("dW", f.gradients().get("weight"), d.gradients().get("weight"), 1e-5);
    }

    @org.junit.jupiter.api.Test
    void upsampleRepeatsEachPixelTwiceInBothDirections() {
        NearestUpsample2x up = new NearestUpsample2x();
        up.build(DataType.DOUBLE);
        INDArray x = Nd4j.createFromArray(new double[][][][] {{{{1, 2}, {3, 4}}}});
        INDArray y = up.forward(x);
        assertThat(y.reshape(16).toDoubleVector()).containsExactly(1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4);
        GradientCheck.check(ModuleCheck.of(up), Nd4j.rand(DataType.DOUBLE, 2, 3, 3, 5));
    }
}
