package org.svgjava.core.nn;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.svgjava.core.testing.GradientCheck;
import org.svgjava.core.testing.ModuleCheck;

class SmallLayersTest {
    @Test
    void layerScale() {
        LayerScale ls = new LayerScale(4);
        ls.build(DataType.DOUBLE);
        ls.parameters().get("gamma").assign(Nd4j.createFromArray(1.0, -2.0, 0.5, 3.0));
        INDArray y = ls.forward(Nd4j.ones(DataType.DOUBLE, 1, 2, 4));
        assertThat(y.reshape(8).toDoubleVector()).containsExactly(1, -2, 0.5, 3, 1, -2, 0.5, 3);
        GradientCheck.check(ModuleCheck.of(ls), Nd4j.rand(DataType.DOUBLE, 3, 2, 4));
    }

    @Test
    void embeddingAddsGradientsOfRepeatedRows() {
        Embedding e = new Embedding(5, 3);
        e.build(DataType.DOUBLE);
        e.weight().assign(Nd4j.arange(15).castTo(DataType.DOUBLE).reshape(5, 3));
        INDArray y = e.forward(new long[] {4, 0, 4});
        assertThat(y.getRow(0).toDoubleVector()).containsExactly(12, 13, 14);
        assertThat(y.getRow(1).toDoubleVector()).containsExactly(0, 1, 2);
        e.backward(Nd4j.ones(DataType.DOUBLE, 3, 3));
        INDArray g = e.gradients().get("weight");
        assertThat(g.getRow(4).toDoubleVector()).containsExactly(2, 2, 2);
        assertThat(g.getRow(0).toDoubleVector()).containsExactly(1, 1, 1);
        assertThat(g.getRow(1).toDoubleVector()).containsExactly(0, 0, 0);
    }
}
