package org.svgjava.encoder.loss;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;

class AdaptiveWeightTest {
    @Test
    void ratioOfGradientNormsClampedAndScaled() {
        var a = Nd4j.createFromArray(3.0, 4.0);
        var b = Nd4j.createFromArray(0.0, 2.0);
        assertThat(AdaptiveWeight.of(a, b, 0.5)).isCloseTo(5 / (2 + 1e-4) * 0.5, within(1e-12));
        assertThat(AdaptiveWeight.of(a, Nd4j.zeros(2), 0.5)).isEqualTo(1e4 * 0.5);
        assertThat(AdaptiveWeight.of(Nd4j.zeros(2), b, 0.5)).isZero();
    }

    @Test
    void adoptWeightSwitchesOnAtTheThreshold() {
        assertThat(AdaptiveWeight.adopt(1.0, 5000, 5001)).isZero();
        assertThat(AdaptiveWeight.adopt(1.0, 5001, 5001)).isEqualTo(1.0);
    }
}
