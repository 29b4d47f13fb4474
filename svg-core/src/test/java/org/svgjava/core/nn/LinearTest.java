package org.svgjava.core.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.svgjava.core.testing.GradientCheck;
import org.svgjava.core.testing.ModuleCheck;

class LinearTest {
    static Linear built(long in, long out, boolean bias, DataType type) {
        Linear l = new Linear(in, out, bias);
        l.build(type);
        Nd4j.getRandom().setSeed(7);
        l.parameters().flat().assign(Nd4j.rand(type, l.parameters().numel()).subi(0.5));
        return l;
    }

    @Test
    void forwardIsXWtPlusB() {
        Linear l = built(3, 2, true, DataType.DOUBLE);
        l.weight().assign(Nd4j.createFromArray(new double[][] {{1, 2, 3}, {-1, 0, 1}}));
        l.bias().assign(Nd4j.createFromArray(0.5, -0.5));
        INDArray y = l.forward(Nd4j.createFromArray(new double[][][] {{{1, 1, 1}, {2, 0, -1}}}));
        assertThat(y.shape()).containsExactly(1, 2, 2);
        assertThat(y.reshape(4).toDoubleVector()).containsExactly(6.5, -0.5, -0.5, -3.5);
    }

    @Test
    void backwardMatchesFiniteDifferencesWithGradientsInTheFlatBuffer() {
        Linear l = built(5, 4, true, DataType.DOUBLE);
        GradientCheck.check(ModuleCheck.of(l), Nd4j.rand(DataType.DOUBLE, 2, 3, 5).subi(0.5));
        Linear nb = built(5, 4, false, DataType.DOUBLE);
        GradientCheck.check(ModuleCheck.of(nb), Nd4j.rand(DataType.DOUBLE, 7, 5).subi(0.5));
    }

    @Test
    void gradientsAccumulateAcrossBackwardCalls() {
        Linear l = built(3, 2, true, DataType.DOUBLE);
        INDArray x = Nd4j.rand(DataType.DOUBLE, 4, 3);
        INDArray dy = Nd4j.rand(DataType.DOUBLE, 4, 2);
        l.forward(x);
        l.backward(dy);
        INDArray once = l.gradients().flat().dup();
        l.forward(x);
        l.backward(dy);
        assertThat(l.gradients().flat().sub(once.mul(2)).amaxNumber().doubleValue()).isLessThan(1e-12);
    }

    @Test
    void frozenAndInferenceModesKeepNothing() {
        Linear frozen = new Linear(3, 2);
        frozen.freeze();
        frozen.build(DataType.FLOAT);
        assertThat(frozen.gradients()).isNull();
        frozen.forward(Nd4j.rand(DataType.FLOAT, 2, 3));
        assertThatThrownBy(() -> frozen.backward(Nd4j.rand(DataType.FLOAT, 2, 2))).isInstanceOf(IllegalStateException.class);
        Linear inf = built(3, 2, true, DataType.FLOAT);
        inf.inference(true);
        inf.forward(Nd4j.rand(DataType.FLOAT, 2, 3));
        assertThatThrownBy(() -> inf.backward(Nd4j.rand(DataType.FLOAT, 2, 2))).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void outputBufferIsReusedForTheSameShape() {
        Linear l = built(3, 2, true, DataType.FLOAT);
        INDArray a = l.forward(Nd4j.rand(DataType.FLOAT, 4, 3));
        INDArray b = l.forward(Nd4j.rand(DataType.FLOAT, 4, 3));
        assertThat(b).isSameAs(a);
    }
}
