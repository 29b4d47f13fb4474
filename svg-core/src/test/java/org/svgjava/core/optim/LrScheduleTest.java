package org.svgjava.core.optim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class LrScheduleTest {
    private static final double EPS = 1e-15;

    @Test
    void constant() {
        LrSchedule s = LrSchedule.constant(1e-4);
        assertThat(s.lr(0)).isEqualTo(1e-4);
        assertThat(s.lr(1_000_000)).isEqualTo(1e-4);
    }

    @Test
    void linearWarmupCountsTheStepAboutToBeTaken() {
        LrSchedule s = LrSchedule.linearWarmup(1e-3, 4);
        assertThat(s.lr(0)).isCloseTo(2.5e-4, within(EPS));
        assertThat(s.lr(1)).isCloseTo(5e-4, within(EPS));
        assertThat(s.lr(2)).isCloseTo(7.5e-4, within(EPS));
        assertThat(s.lr(3)).isEqualTo(1e-3);
        assertThat(s.lr(4)).isEqualTo(1e-3);
        assertThat(s.lr(99)).isEqualTo(1e-3);
        assertThat(LrSchedule.linearWarmup(1e-3, 0).lr(0)).isEqualTo(1e-3);
    }

    @Test
    void cosineWarmsUpThenFollowsHalfACosineToTheFloor() {
        // warm-up 2, cosine over steps 2..10 (8 steps), lr 1.0 -> 0.1
        LrSchedule s = LrSchedule.cosine(1.0, 2, 10, 0.1);
        assertThat(s.lr(0)).isCloseTo(0.5, within(EPS));
        assertThat(s.lr(1)).isCloseTo(1.0, within(EPS));
        assertThat(s.lr(2)).isCloseTo(1.0, within(EPS));
        // progress 2/8: 0.1 + 0.9 * (1 + cos(pi/4)) / 2 = 0.1 + 0.45 * (1 + 0.70710678...) = 0.86819805...
        assertThat(s.lr(4)).isCloseTo(0.868198051533946, within(1e-12));
        // half way: 0.1 + 0.45
        assertThat(s.lr(6)).isCloseTo(0.55, within(1e-12));
        // progress 6/8: 0.1 + 0.45 * (1 - 0.70710678...) = 0.23180194...
        assertThat(s.lr(8)).isCloseTo(0.231801948466054, within(1e-12));
        assertThat(s.lr(10)).isCloseTo(0.1, within(EPS));
        assertThat(s.lr(50)).isCloseTo(0.1, within(EPS));
    }

    @Test
    void cosineWithoutWarmupStartsAtTheFullRate() {
        LrSchedule s = LrSchedule.cosine(2.0, 0, 4, 0.0);
        assertThat(s.lr(0)).isEqualTo(2.0);
        assertThat(s.lr(1)).isCloseTo(1 + Math.sqrt(0.5), within(1e-12));
        assertThat(s.lr(2)).isCloseTo(1.0, within(1e-12));
        assertThat(s.lr(4)).isCloseTo(0.0, within(1e-15));
    }

    @Test
    void rejectsNonsense() {
        assertThatThrownBy(() -> LrSchedule.cosine(1, 10, 10, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LrSchedule.linearWarmup(1, -1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LrSchedule.constant(Double.NaN)).isInstanceOf(IllegalArgumentException.class);
    }
}
