package org.svgjava.diffusion.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;
import org.svgjava.core.testing.Allclose;
import org.svgjava.core.testing.Golden;

class TimeShiftTest {
    @ParameterizedTest
    @ValueSource(strings = {"1.0", "0.4", "0.15", "3.0"})
    void gridMatchesOfficialPrepareTSeq(String shift) throws Exception {
        var expected = Golden.safetensors("rectified_flow/sampling.safetensors").get("t_seq.steps8.shift" + shift);
        double[] grid = TimeShift.grid(8, Double.parseDouble(shift));
        Allclose.assertRelClose("t_seq", Nd4j.createFromArray(grid), expected.toINDArray(DataType.DOUBLE), 1e-7);
    }

    @org.junit.jupiter.api.Test
    void shiftValuesFromTheSpec() {
        assertThat(TimeShift.apply(0.25, 0.4)).isCloseTo(0.117647, org.assertj.core.data.Offset.offset(1e-6));
        assertThat(TimeShift.apply(0.5, 0.4)).isCloseTo(0.285714, org.assertj.core.data.Offset.offset(1e-6));
        assertThat(TimeShift.apply(0.3, -1)).isEqualTo(0.3);
        assertThat(TimeShift.grid(5, 0.15)[1]).isCloseTo(0.03614, org.assertj.core.data.Offset.offset(1e-5));
        assertThatThrownBy(() -> TimeShift.grid(0, 1)).hasMessageContaining("at least one");
    }
}
