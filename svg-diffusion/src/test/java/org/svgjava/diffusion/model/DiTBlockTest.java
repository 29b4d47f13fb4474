package org.svgjava.diffusion.model;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.svgjava.core.testing.Differentiable;
import org.svgjava.core.testing.GradientCheck;

class DiTBlockTest {
    private static DiTBlock block() {
        DiTBlock b = new DiTBlock(8, 2, 2.0, true);
        b.build(DataType.DOUBLE);
        Nd4j.getRandom().setSeed(5);
        // non-zero adaLN weights: with the official zero init the gradient paths through the gates would be trivial
        b.parameters().flat().assign(Nd4j.rand(DataType.DOUBLE, b.parameters().numel()).subi(0.5));
        return b;
    }

    @Test
    void backwardToTheTokensAndParameters() {
        DiTBlock b = block();
        INDArray c = Nd4j.rand(DataType.DOUBLE, 2, 8).subi(0.5);
        INDArray dc = Nd4j.zeros(DataType.DOUBLE, 2, 8);
        GradientCheck.check(new Differentiable() {
            @Override
            public INDArray forward(INDArray x) {
                return b.forward(x, c);
            }

            @Override
            public INDArray backward(INDArray dy) {
                return b.backward(dy, dc);
            }

            @Override
            public Map<String, INDArray> parameters() {
                return b.parameters().views();
            }

            @Override
            public Map<String, INDArray> gradients() {
                return b.gradients().views();
            }
        }, Nd4j.rand(DataType.DOUBLE, 2, 5, 8).subi(0.5));
    }

    @Test
    void backwardToTheConditioning() {
        DiTBlock b = block();
        INDArray x = Nd4j.rand(DataType.DOUBLE, 2, 5, 8).subi(0.5);
        INDArray dc = Nd4j.zeros(DataType.DOUBLE, 2, 8);
        GradientCheck.check(new Differentiable() {
            @Override
            public INDArray forward(INDArray c) {
                return b.forward(x, c);
            }

            @Override
            public INDArray backward(INDArray dy) {
                dc.assign(0);
                b.backward(dy, dc);
                return dc;
            }
        }, Nd4j.rand(DataType.DOUBLE, 2, 8).subi(0.5));
    }
}
