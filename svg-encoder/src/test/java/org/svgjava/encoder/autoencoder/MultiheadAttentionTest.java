package org.svgjava.encoder.autoencoder;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.svgjava.core.nn.Attention;
import org.svgjava.core.testing.Allclose;
import org.svgjava.core.testing.Differentiable;
import org.svgjava.core.testing.GradientCheck;
import org.svgjava.core.testing.ModuleCheck;

class MultiheadAttentionTest {
    private static MultiheadAttention mha(double dropout) {
        MultiheadAttention m = new MultiheadAttention(8, 2, dropout, 4);
        m.build(DataType.DOUBLE);
        Nd4j.getRandom().setSeed(21);
        m.parameters().flat().assign(Nd4j.rand(DataType.DOUBLE, m.parameters().numel()).subi(0.5));
        return m;
    }

    @Test
    void evalIsTheSameAttentionAsTimmsWithTorchNames() {
        MultiheadAttention m = mha(0.1);
        assertThat(m.parameters().views().keySet())
                .containsExactly("in_proj_weight", "in_proj_bias", "out_proj.weight", "out_proj.bias");
        Attention a = new Attention(8, 2, true, false, false);
        a.build(DataType.DOUBLE);
        a.parameters().get("qkv.weight").assign(m.parameters().get("in_proj_weight"));
        a.parameters().get("qkv.bias").assign(m.parameters().get("in_proj_bias"));
        a.parameters().get("proj.weight").assign(m.parameters().get("out_proj.weight"));
        a.parameters().get("proj.bias").assign(m.parameters().get("out_proj.bias"));
        INDArray x = Nd4j.rand(DataType.DOUBLE, 3, 5, 8);
        Allclose.assertRelClose("mha", m.forward(x), a.forward(x), 1e-12);
    }

    @Test
    void backwardMatchesFiniteDifferencesInEval() {
        GradientCheck.check(ModuleCheck.of(mha(0.1)), Nd4j.rand(DataType.DOUBLE, 2, 5, 8).subi(0.5));
    }

    @Test
    void backwardWithAttentionDropoutMatchesFiniteDifferences() {
        MultiheadAttention m = mha(0.3);
        m.train(true);
        Differentiable inner = ModuleCheck.of(m);
        GradientCheck.check(new Differentiable() {
            @Override
            public INDArray forward(INDArray input) {
                m.reseed(99);
                return inner.forward(input);
            }

            @Override
            public INDArray backward(INDArray dy) {
                return inner.backward(dy);
            }

            @Override
            public java.util.Map<String, INDArray> parameters() {
                return inner.parameters();
            }

            @Override
            public java.util.Map<String, INDArray> gradients() {
                return inner.gradients();
            }
        }, Nd4j.rand(DataType.DOUBLE, 2, 5, 8).subi(0.5));
    }

    @Test
    void attentionDropoutActsOnlyInTraining() {
        MultiheadAttention m = mha(0.5);
        INDArray x = Nd4j.rand(DataType.DOUBLE, 2, 6, 8);
        INDArray eval = m.forward(x).dup();
        m.train(true);
        m.reseed(1);
        INDArray train = m.forward(x).dup();
        assertThat(train).isNotEqualTo(eval);
        m.train(false);
        assertThat(m.forward(x)).isEqualTo(eval);
    }
}
