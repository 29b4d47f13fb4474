package org.svgjava.diffusion.flow;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class SeedsTest {
    private static INDArray noise(long seed) {
        INDArray z = Nd4j.create(DataType.FLOAT, 257);
        Nd4j.randn(z, Seeds.nd4j(seed));
        return z;
    }

    @Test
    void everySeedIncludingZeroGivesOneStream() {
        for (long seed : new long[] {0, 1, -1, 42, Long.MIN_VALUE}) {
            assertThat(noise(seed)).as("seed " + seed).isEqualTo(noise(seed));
        }
        assertThat(noise(0)).isNotEqualTo(noise(1));
    }
}
