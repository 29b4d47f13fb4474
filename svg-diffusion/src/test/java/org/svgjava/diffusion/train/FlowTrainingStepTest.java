package org.svgjava.diffusion.train;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.svgjava.core.nn.ParameterSet;
import org.svgjava.diffusion.model.SiT;
import org.svgjava.diffusion.model.SiTConfig;

class FlowTrainingStepTest {
    static final SiTConfig TINY = new SiTConfig("tiny", 6, 4, 32, 2, 4, 2.0, 3, true, true, 0.1);

    static SiT model() {
        SiT m = new SiT(TINY);
        m.build(DataType.FLOAT);
        m.initialize(1);
        return m;
    }

    static INDArray data() {
        Nd4j.getRandom().setSeed(9);
        return Nd4j.randn(DataType.FLOAT, 4, 16, 6).muli(0.5).addi(1);
    }

    @Test
    void lossFallsOnAFixedBatch() {
        SiT m = model();
        FlowTrainingStep step = new FlowTrainingStep(m, FlowTrainingStep.Settings.official().withLr(2e-3), 3);
        INDArray x = data();
        long[] y = {0, 1, 2, 0};
        double first = 0;
        double last = 0;
        for (int i = 0; i < 60; i++) {
            double l = step.step(x, y).loss();
            if (i < 10) {
                first += l / 10;
            }
            if (i >= 50) {
                last += l / 10;
            }
        }
        assertThat(last).isLessThan(0.7 * first);
        assertThat(m.parameters().get("pos_embed")).as("the position table is not trained")
                .isEqualTo(model().parameters().get("pos_embed"));
    }

    @Test
    void resumingAfterAnInterruptionGivesIdenticalWeights() {
        INDArray x = data();
        long[] y = {0, 1, 2, 0};
        FlowTrainingStep.Settings s = FlowTrainingStep.Settings.official().withLr(1e-3).withEmaDecay(0.9).withClipNorm(1.0);
        SiT straight = model();
        FlowTrainingStep a = new FlowTrainingStep(straight, s, 11);
        for (int i = 0; i < 4; i++) {
            a.step(x, y);
        }
        SiT first = model();
        FlowTrainingStep b = new FlowTrainingStep(first, s, 11);
        b.step(x, y);
        b.step(x, y);
        // a fresh process: new model and optimiser, state copied over as a checkpoint would
        SiT resumed = model();
        FlowTrainingStep c = new FlowTrainingStep(resumed, s, 11);
        copy(first.parameters(), resumed.parameters());
        copy(b.optimizer().moments().get("exp_avg"), c.optimizer().moments().get("exp_avg"));
        copy(b.optimizer().moments().get("exp_avg_sq"), c.optimizer().moments().get("exp_avg_sq"));
        copy(b.ema().shadow(), c.ema().shadow());
        c.optimizer().setStepCount(b.stepCount());
        c.step(x, y);
        c.step(x, y);
        assertThat(resumed.parameters().flat()).isEqualTo(straight.parameters().flat());
        assertThat(c.ema().shadow().flat()).isEqualTo(a.ema().shadow().flat());
    }

    private static void copy(ParameterSet from, ParameterSet to) {
        to.flat().assign(from.flat());
    }
}
