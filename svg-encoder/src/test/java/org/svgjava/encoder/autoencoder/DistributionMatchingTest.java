package org.svgjava.encoder.autoencoder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.svgjava.core.testing.Allclose;

class DistributionMatchingTest {
    /** The official definition, element by element: per-channel mean and unbiased std, then their means. */
    private static double[] naive(INDArray x) {
        long b = x.size(0);
        long c = x.size(1);
        long n = x.size(2);
        double meanSum = 0;
        double stdSum = 0;
        for (long ch = 0; ch < c; ch++) {
            double s = 0;
            for (long i = 0; i < b; i++) {
                for (long t = 0; t < n; t++) {
                    s += x.getDouble(i, ch, t);
                }
            }
            double m = s / (b * n);
            double sq = 0;
            for (long i = 0; i < b; i++) {
                for (long t = 0; t < n; t++) {
                    double d = x.getDouble(i, ch, t) - m;
                    sq += d * d;
                }
            }
            meanSum += m;
            stdSum += Math.sqrt(sq / (b * n - 1));
        }
        return new double[] {meanSum / c, stdSum / c};
    }

    @Test
    void scalarStatisticsAreMeansOfPerChannelBatchStatisticsWithTheUnbiasedStd() {
        Nd4j.getRandom().setSeed(2);
        INDArray h = Nd4j.randn(DataType.DOUBLE, 3, 5, 7).muli(Nd4j.linspace(DataType.DOUBLE, 0.5, 2, 5).reshape(1, 5, 1)).addi(0.3);
        INDArray v = Nd4j.randn(DataType.DOUBLE, 3, 2, 7).muli(4).subi(1);
        DistributionMatching.Statistics s = DistributionMatching.batchStatistics(h, v);
        double[] eh = naive(h);
        double[] ev = naive(v);
        assertThat(s.meanH()).isCloseTo(eh[0], within(1e-12));
        assertThat(s.stdH()).isCloseTo(eh[1], within(1e-12));
        assertThat(s.meanV()).isCloseTo(ev[0], within(1e-12));
        assertThat(s.stdV()).isCloseTo(ev[1], within(1e-12));
        INDArray aligned = DistributionMatching.official().apply(h, v, false, v.ulike());
        INDArray expected = v.sub(ev[0]).divi(ev[1] + 1e-6).muli(eh[1]).addi(eh[0]);
        Allclose.assertRelClose("aligned", aligned, expected, 1e-12);
        // matched: the aligned map has the DINO features' scalar statistics
        double[] after = naive(aligned);
        assertThat(after[0]).isCloseTo(eh[0], within(1e-9));
        assertThat(after[1]).isCloseTo(eh[1], within(1e-5));
    }

    @Test
    void backwardTreatsTheStatisticsAsConstants() {
        Nd4j.getRandom().setSeed(3);
        INDArray h = Nd4j.randn(DataType.DOUBLE, 2, 4, 3);
        INDArray v = Nd4j.randn(DataType.DOUBLE, 2, 2, 3);
        DistributionMatching m = DistributionMatching.official();
        m.apply(h, v, true, v.ulike());
        DistributionMatching.Statistics s = m.last();
        INDArray d = Nd4j.randn(DataType.DOUBLE, 2, 2, 3);
        INDArray dv = m.backward(d, d.ulike());
        Allclose.assertRelClose("detached", dv, d.mul(s.stdH() / (s.stdV() + 1e-6)), 1e-14);
    }

    @Test
    void officialEncodingOfAnImageDependsOnItsBatchButRunningStatisticsDoNot() {
        Nd4j.getRandom().setSeed(4);
        INDArray h = Nd4j.randn(DataType.DOUBLE, 4, 4, 3);
        INDArray v = Nd4j.randn(DataType.DOUBLE, 4, 2, 3);
        DistributionMatching official = DistributionMatching.official();
        INDArray alone = official.apply(h.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 1)),
                v.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 1)), false, Nd4j.create(DataType.DOUBLE, 1, 2, 3)).dup();
        INDArray inBatch = official.apply(h, v, false, v.ulike()).get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 1)).dup();
        assertThat(alone).isNotEqualTo(inBatch);

        DistributionMatching running = new DistributionMatching(DistributionMatching.Mode.RUNNING, 0.5);
        assertThatThrownBy(() -> running.apply(h, v, false, v.ulike())).hasMessageContaining("no statistics");
        // training uses (and matches) the batch exactly, as the official code, and records the statistics
        Allclose.assertRelClose("training = official", running.apply(h, v, true, v.ulike()), official.apply(h, v, true, v.ulike()), 1e-14);
        DistributionMatching.Statistics first = running.running();
        assertThat(first).isEqualTo(DistributionMatching.batchStatistics(h, v));
        INDArray h2 = h.mul(2);
        running.apply(h2, v, true, v.ulike());
        assertThat(running.running().stdH()).isCloseTo(1.5 * first.stdH(), within(1e-12));
        INDArray one = running.apply(h.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 1)),
                v.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 1)), false, Nd4j.create(DataType.DOUBLE, 1, 2, 3)).dup();
        INDArray batched = running.apply(h, v, false, v.ulike()).get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 1));
        assertThat(one).isEqualTo(batched);
    }
}
