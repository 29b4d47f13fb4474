package org.svgjava.core.nn;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.svgjava.core.testing.Differentiable;
import org.svgjava.core.testing.GradientCheck;

class SeededDropoutTest {
    @Test
    void reseedingRepeatsTheMasksAndEvalIsTheIdentity() {
        SeededDropout d = new SeededDropout(0.1, 5);
        d.build(DataType.DOUBLE);
        INDArray x = Nd4j.ones(DataType.DOUBLE, 200, 100);
        assertThat(d.forward(x)).isSameAs(x);
        d.train(true);
        INDArray first = d.forward(x).dup();
        INDArray second = d.forward(x).dup();
        assertThat(first).isNotEqualTo(second);
        d.reseed(5);
        assertThat(d.forward(x)).isEqualTo(first);
        double zeros = first.eq(0).castTo(DataType.DOUBLE).sumNumber().doubleValue() / first.length();
        assertThat(zeros).isBetween(0.08, 0.12);
        assertThat(first.maxNumber().doubleValue()).isCloseTo(1 / 0.9, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(d.backward(Nd4j.ones(DataType.DOUBLE, 200, 100))).isEqualTo(first);
    }

    @Test
    void backwardWithAFixedMaskMatchesFiniteDifferences() {
        SeededDropout d = new SeededDropout(0.3, 1);
        d.build(DataType.DOUBLE);
        d.train(true);
        GradientCheck.check(new Differentiable() {
            @Override
            public INDArray forward(INDArray input) {
                d.reseed(77);
                return d.forward(input);
            }

            @Override
            public INDArray backward(INDArray dy) {
                return d.backward(dy);
            }
        }, Nd4j.rand(DataType.DOUBLE, 4, 6));
    }

    @Test
    void inPlaceVariantDropsAndRoutesGradientsTheSameWay() {
        SeededDropout d = new SeededDropout(0.5, 2);
        d.build(DataType.FLOAT);
        d.train(true);
        INDArray a = Nd4j.ones(DataType.FLOAT, 10, 10);
        d.applyInPlace(a);
        INDArray g = Nd4j.ones(DataType.FLOAT, 10, 10);
        d.backwardInPlace(g);
        assertThat(g).isEqualTo(a);
    }
}
