package org.svgjava.diffusion.flow;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.svgjava.core.testing.Allclose;
import org.svgjava.core.testing.Golden;

class LatentStatsTest {
    @Test
    void officialStatsFileInBothFormats() throws Exception {
        LatentStats pt = LatentStats.load(Golden.path("feature_stats/stats.pt"), 392);
        LatentStats st = LatentStats.load(Golden.path("feature_stats/stats.safetensors"), 392);
        assertThat(pt.channels()).isEqualTo(392);
        assertThat(pt.mean()).isEqualTo(st.mean());
        assertThat(pt.std()).isEqualTo(st.std());
        assertThat(LatentStats.load(Golden.path("feature_stats/stats.pt"), 24).channels()).isEqualTo(24);
    }

    @Test
    void normaliseAndDenormaliseAreInverse() throws Exception {
        LatentStats s = LatentStats.load(Golden.path("feature_stats/stats.pt"), 392);
        INDArray x = Nd4j.rand(DataType.FLOAT, 2, 256, 392);
        INDArray y = s.normalize(x.dup());
        assertThat(y.getFloat(1, 7, 100)).isCloseTo((x.getFloat(1, 7, 100) - s.mean().getFloat(100)) / s.std().getFloat(100),
                org.assertj.core.data.Offset.offset(1e-5f));
        Allclose.assertRelClose("round trip", s.denormalize(y), x, 1e-6);
    }

    @Test
    void accumulatorGivesPerChannelMeanAndUnbiasedStd() {
        Nd4j.getRandom().setSeed(1);
        INDArray a = Nd4j.randn(DataType.DOUBLE, 3, 50, 4).muli(2).addi(5);
        INDArray b = Nd4j.randn(DataType.DOUBLE, 2, 50, 4);
        LatentStats.Accumulator acc = new LatentStats.Accumulator(4);
        acc.add(a);
        acc.add(b);
        INDArray all = Nd4j.concat(0, a.reshape(150, 4), b.reshape(100, 4));
        LatentStats s = acc.result();
        Allclose.assertRelClose("mean", s.mean(), all.mean(0).castTo(DataType.FLOAT), 1e-5);
        Allclose.assertRelClose("std", s.std(), all.std(true, 0).castTo(DataType.FLOAT), 1e-5);
    }
}
