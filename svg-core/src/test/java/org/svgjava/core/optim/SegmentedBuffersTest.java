package org.svgjava.core.optim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.svgjava.core.nn.ParameterSet;

/**
 * Flat buffers longer than one NIO segment (2^27 elements): the optimisers must reach every element past the
 * boundary, as an XL model's 676M parameters need. A tensor straddles the boundary on purpose.
 */
class SegmentedBuffersTest {
    private static final long SEGMENT = 1L << FlatBuffers.SEGMENT_SHIFT;

    @Test
    void emaAndClippingCoverElementsBeyondTheFirstSegment() {
        ParameterSet p = ParameterSet.builder().add("head", 1000).add("w", SEGMENT + 2000).build();
        p.flat().assign(1);
        Ema ema = new Ema(p, 0.5);
        p.flat().assign(3);
        long last = p.numel() - 1;
        p.flat().putScalar(SEGMENT, 7f);
        p.flat().putScalar(last, 11f);
        ema.update();
        assertThat(ema.shadow().flat().getFloat(SEGMENT - 1)).isEqualTo(2f);
        assertThat(ema.shadow().flat().getFloat(SEGMENT)).isEqualTo(4f);
        assertThat(ema.shadow().flat().getFloat(last)).isEqualTo(6f);
        assertThat(ema.shadow().flat().get(NDArrayIndex.interval(SEGMENT + 1, last)).minNumber().floatValue()).isEqualTo(2f);

        // all 3 except a 7 and an 11 (ND4J's own float-accumulated norm2 is far off at this length)
        double expected = Math.sqrt(9.0 * (p.numel() - 2) + 49 + 121);
        double norm = GradClip.clipGradNorm(p, 1.0);
        assertThat(norm).isCloseTo(expected, within(expected * 1e-6));
        float coef = (float) (1.0 / (expected + 1e-6));
        assertThat(p.flat().getFloat(last)).isCloseTo(11f * coef, within(1e-9f));
        assertThat(p.flat().get(NDArrayIndex.interval(SEGMENT + 1, last)).maxNumber().floatValue())
                .isCloseTo(3f * coef, within(1e-9f));
    }
}
