package org.svgjava.core.nn;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.svgjava.core.testing.GradientCheck;
import org.svgjava.core.testing.ModuleCheck;

class LeakyReLUTest {
    @Test
    void leakyAndPlainReluFollowTheDefinition() {
        LeakyReLU l = new LeakyReLU(0.2);
        l.build(DataType.FLOAT);
        INDArray x = Nd4j.createFromArray(new float[] {-2f, -0.5f, 0f, 0.5f, 3f});
        assertThat(l.forward(x).toFloatVector()).containsExactly(-0.4f, -0.1f, 0f, 0.5f, 3f);
        // PyTorch's gradient at 0 is the negative slope
        assertThat(l.backward(Nd4j.ones(DataType.FLOAT, 5)).toFloatVector()).containsExactly(0.2f, 0.2f, 0.2f, 1f, 1f);
        LeakyReLU r = LeakyReLU.relu();
        r.build(DataType.FLOAT);
        assertThat(r.forward(x).toFloatVector()).containsExactly(0f, 0f, 0f, 0.5f, 3f);
    }

    @Test
    void backwardMatchesFiniteDifferences() {
        LeakyReLU l = new LeakyReLU(0.2);
        l.build(DataType.DOUBLE);
        GradientCheck.check(ModuleCheck.of(l), Nd4j.rand(DataType.DOUBLE, 2, 3, 5, 4).subi(0.5));
    }

    @Test
    void largeAndStridedInputsTakeTheParallelPathAndAreCopiedWhenNeeded() {
        LeakyReLU l = new LeakyReLU(0.1);
        l.build(DataType.FLOAT);
        INDArray x = Nd4j.randn(DataType.FLOAT, 3, 200, 300);
        INDArray expected = x.dup();
        expected.muli(x.gt(0).castTo(DataType.FLOAT).muli(0.9).addi(0.1));
        assertThat(l.forward(x)).isEqualTo(expected);
        INDArray t = x.permute(0, 2, 1);
        assertThat(l.forward(t)).isEqualTo(expected.permute(0, 2, 1).dup('c'));
    }
}
