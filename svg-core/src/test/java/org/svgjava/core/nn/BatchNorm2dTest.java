package org.svgjava.core.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.svgjava.core.testing.Allclose;
import org.svgjava.core.testing.GradientCheck;
import org.svgjava.core.testing.ModuleCheck;

class BatchNorm2dTest {
    private static BatchNorm2d bn(DataType type) {
        BatchNorm2d bn = new BatchNorm2d(3);
        bn.build(type);
        bn.resetParameters();
        Nd4j.getRandom().setSeed(9);
        bn.parameters().get("weight").assign(Nd4j.rand(type, 3).addi(0.5));
        bn.parameters().get("bias").assign(Nd4j.rand(type, 3).subi(0.5));
        return bn;
    }

    @Test
    void trainingNormalisesWithBatchStatisticsAndMovesTheRunningOnes() {
        BatchNorm2d bn = bn(DataType.DOUBLE);
        bn.train(true);
        INDArray x = Nd4j.rand(DataType.DOUBLE, 4, 3, 5, 2).muli(3).addi(1);
        INDArray y = bn.forward(x);
        INDArray perChannel = x.permute(1, 0, 2, 3).dup('c').reshape(3, 40);
        INDArray mean = perChannel.mean(1);
        INDArray var = perChannel.var(false, 1);
        INDArray expected = x.sub(mean.reshape(1, 3, 1, 1)).divi(Nd4j.math().sqrt(var.add(1e-5)).reshape(1, 3, 1, 1))
                .muli(bn.parameters().get("weight").reshape(1, 3, 1, 1)).addi(bn.parameters().get("bias").reshape(1, 3, 1, 1));
        Allclose.assertRelClose("batch norm", y, expected, 1e-12);
        Allclose.assertRelClose("running mean", bn.parameters().get("running_mean"), mean.mul(0.1), 1e-12);
        Allclose.assertRelClose("running var", bn.parameters().get("running_var"),
                perChannel.var(true, 1).mul(0.1).addi(0.9), 1e-12);
        assertThat(bn.parameters().get("num_batches_tracked").getDouble(0)).isEqualTo(1.0);

        bn.train(false);
        INDArray yEval = bn.forward(x);
        INDArray rm = bn.parameters().get("running_mean").reshape(1, 3, 1, 1);
        INDArray rv = bn.parameters().get("running_var").reshape(1, 3, 1, 1);
        INDArray expectedEval = x.sub(rm).divi(Nd4j.math().sqrt(rv.add(1e-5)))
                .muli(bn.parameters().get("weight").reshape(1, 3, 1, 1)).addi(bn.parameters().get("bias").reshape(1, 3, 1, 1));
        Allclose.assertRelClose("eval batch norm", yEval, expectedEval, 1e-12);
        assertThat(bn.parameters().get("num_batches_tracked").getDouble(0)).isEqualTo(1.0);
    }

    @Test
    void backwardMatchesFiniteDifferencesInBothModes() {
        for (boolean training : new boolean[] {true, false}) {
            BatchNorm2d bn = bn(DataType.DOUBLE);
            bn.parameters().get("running_mean").assign(0.3);
            bn.parameters().get("running_var").assign(1.7);
            bn.train(training);
            // the running statistics change on every training forward but never touch the output: only the affine
            // parameters are checked, as an optimiser sees them
            GradientCheck.check(new org.svgjava.core.testing.Differentiable() {
                final org.svgjava.core.testing.Differentiable m = ModuleCheck.of(bn);

                @Override
                public INDArray forward(INDArray input) {
                    return m.forward(input);
                }

                @Override
                public INDArray backward(INDArray dy) {
                    return m.backward(dy);
                }

                @Override
                public java.util.Map<String, INDArray> parameters() {
                    return java.util.Map.of("weight", bn.parameters().get("weight"), "bias", bn.parameters().get("bias"));
                }

                @Override
                public java.util.Map<String, INDArray> gradients() {
                    return java.util.Map.of("weight", bn.gradients().get("weight"), "bias", bn.gradients().get("bias"));
                }
            }, Nd4j.rand(DataType.DOUBLE, 3, 3, 4, 2).subi(0.5));
        }
    }

    @Test
    void floatAgreesWithDouble() {
        BatchNorm2d d = bn(DataType.DOUBLE);
        BatchNorm2d f = bn(DataType.FLOAT);
        f.parameters().flat().assign(d.parameters().flat().castTo(DataType.FLOAT));
        d.train(true);
        f.train(true);
        INDArray x = Nd4j.randn(DataType.DOUBLE, 8, 3, 16, 16).muli(2).addi(5);
        Allclose.assertRelClose("float", f.forward(x.castTo(DataType.FLOAT)), d.forward(x), 1e-5);
        INDArray dy = Nd4j.randn(DataType.DOUBLE, 8, 3, 16, 16);
        Allclose.assertRelClose("float dx", f.backward(dy.castTo(DataType.FLOAT)), d.backward(dy), 1e-4);
        assertThat(f.parameters().get("running_var").getDouble(1)).isCloseTo(d.parameters().get("running_var").getDouble(1), within(1e-5));
    }

    @Test
    void buffersAreRecognisedByName() {
        assertThat(BatchNorm2d.isBuffer("main.3.running_mean")).isTrue();
        assertThat(BatchNorm2d.isBuffer("main.3.num_batches_tracked")).isTrue();
        assertThat(BatchNorm2d.isBuffer("main.3.weight")).isFalse();
    }
}
