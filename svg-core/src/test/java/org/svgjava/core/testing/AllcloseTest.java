package org.svgjava.core.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

class AllcloseTest {
    @Test
    void reportsTheWorstIndexAndBothErrors() {
        var e = Nd4j.arange(1, 25).castTo(DataType.FLOAT).reshape(2, 3, 4);
        var a = e.dup();
        a.putScalar(new long[] {1, 2, 1}, 22.5f); // expected 22
        var c = Allclose.compare(a, e);
        assertThat(c.worstIndex()).containsExactly(1, 2, 1);
        assertThat(c.maxAbsError()).isEqualTo(0.5);
        assertThat(c.relError()).isEqualTo(0.5 / 24);
        assertThatThrownBy(() -> Allclose.assertRelClose("out", a, e, 1e-4))
                .hasMessageContaining("out [2, 3, 4]").hasMessageContaining("[1, 2, 1]")
                .hasMessageContaining("actual 22.5").hasMessageContaining("expected 22");
        Allclose.assertRelClose("out", a, e, 0.03);
    }

    @Test
    void numpyStyleAllclose() {
        var e = Nd4j.createFromArray(1.0, 100.0, 0.0);
        Allclose.assertAllclose("x", Nd4j.createFromArray(1.0 + 1e-6, 100.0001, 1e-9), e, 1e-5, 1e-8);
        assertThatThrownBy(() -> Allclose.assertAllclose("x", Nd4j.createFromArray(1.0, 100.01, 0.0), e, 1e-5, 1e-8))
                .hasMessageContaining("1 of 3 elements").hasMessageContaining("[1]");
    }

    @Test
    void nanAndShapeAreFailures() {
        var e = Nd4j.createFromArray(1f, 2f);
        assertThatThrownBy(() -> Allclose.assertRelClose("x", Nd4j.createFromArray(1f, Float.NaN), e, 1))
                .hasMessageContaining("non-finite");
        assertThatThrownBy(() -> Allclose.assertRelClose("x", Nd4j.createFromArray(1f, 2f, 3f), e, 1))
                .hasMessageContaining("shape [3] differs from expected [2]");
    }
}
