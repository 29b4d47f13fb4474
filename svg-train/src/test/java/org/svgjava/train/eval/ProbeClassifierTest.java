package org.svgjava.train.eval;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.svgjava.train.data.ProceduralDataset;

class ProbeClassifierTest {
    /** Every sixth sample is held out; the rest train (the data set is ordered by class). */
    static INDArray images(ProceduralDataset d, boolean heldOut, long[] labels) {
        int n = labels.length;
        INDArray x = Nd4j.create(DataType.FLOAT, n, 3, 32, 32);
        int idx = 0;
        for (int i = 0; i < n; i++, idx++) {
            while ((idx % 6 == 0) != heldOut) {
                idx++;
            }
            var li = d.get(idx);
            labels[i] = li.label();
            x.slice(i).assign(Nd4j.create(li.pixels().toChwMinusOneOne(), new long[] {3, 32, 32}, 'c'));
        }
        return x;
    }

    @Test
    void learnsTheBuiltInClassesAndIsNearChanceOnNoise() {
        ProceduralDataset d = ProceduralDataset.of(32, 60, 1);
        long[] trainLabels = new long[500];
        INDArray train = images(d, false, trainLabels);
        long[] testLabels = new long[100];
        INDArray test = images(d, true, testLabels);
        ProbeClassifier c = ProbeClassifier.train(train, trainLabels, d.numClasses(), 30, 3);
        assertThat(c.accuracy(test, testLabels)).isGreaterThan(0.8);
        Nd4j.getRandom().setSeed(4);
        INDArray noise = Nd4j.rand(DataType.FLOAT, 200, 3, 32, 32).muli(2).subi(1);
        long[] noiseLabels = new long[200];
        for (int i = 0; i < 200; i++) {
            noiseLabels[i] = i % 10;
        }
        assertThat(c.accuracy(noise, noiseLabels)).isLessThan(0.3);
    }
}
