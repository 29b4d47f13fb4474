package org.svgjava.core.optim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.svgjava.core.nn.ParameterSet;
import org.svgjava.core.testing.Allclose;

class GradClipTest {
    private static final double TOL = 1e-6;
    private static OptimGolden golden;

    @BeforeAll
    static void load() throws Exception {
        golden = OptimGolden.load();
    }

    private static ParameterSet twoTensors(DataType type) throws Exception {
        ParameterSet g = ParameterSet.builder().add("a", 3, 4).add("b", 6).build(type);
        g.get("a").assign(golden.get("clip.a_before", type));
        g.get("b").assign(golden.get("clip.b_before", type));
        return g;
    }

    @Test
    void matchesTorchClipGradNormOverTwoTensorsJointly() throws Exception {
        assertThat(golden.metadata().get("clip")).contains("max_norm=1.0");
        for (DataType type : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
            ParameterSet g = twoTensors(type);
            double norm = GradClip.clipGradNorm(g, 1.0);
            double expected = golden.get("clip.total_norm").getDouble(0);
            assertThat(expected).isGreaterThan(1.0);
            assertThat(norm).isCloseTo(expected, within(TOL * expected));
            Allclose.assertRelClose(type + " a", g.get("a"), golden.get("clip.a_after", type), TOL);
            Allclose.assertRelClose(type + " b", g.get("b"), golden.get("clip.b_after", type), TOL);
        }
    }

    @Test
    void gradientsWithinTheLimitAreLeftExactlyAsTheyAre() throws Exception {
        ParameterSet g = twoTensors(DataType.FLOAT);
        float[] before = g.flat().toFloatVector();
        double norm = GradClip.clipGradNorm(g, 1e3);
        assertThat(norm).isCloseTo(golden.get("clip.total_norm").getDouble(0), within(1e-5));
        assertThat(g.flat().toFloatVector()).containsExactly(before);
    }

    @Test
    void nonFiniteNormIsReturnedAndNothingIsScaled() throws Exception {
        for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY}) {
            ParameterSet g = twoTensors(DataType.FLOAT);
            g.get("b").putScalar(2, bad);
            float[] before = g.flat().toFloatVector();
            double norm = GradClip.clipGradNorm(g, 1.0);
            assertThat(Double.isFinite(norm)).isFalse();
            assertThat(g.flat().toFloatVector()).containsExactly(before);
        }
    }

    @Test
    void frozenGradientsNeitherCountNorScale() throws Exception {
        ParameterSet g = ParameterSet.builder().add("pos_embed", 5).add("a", 3, 4).add("b", 6).build();
        g.get("a").assign(golden.get("clip.a_before"));
        g.get("b").assign(golden.get("clip.b_before"));
        g.get("pos_embed").assign(1e3);
        double norm = GradClip.clipGradNorm(g, 1.0, name -> !name.equals("pos_embed"));
        assertThat(norm).isCloseTo(golden.get("clip.total_norm").getDouble(0), within(1e-5));
        Allclose.assertRelClose("a", g.get("a"), golden.get("clip.a_after"), TOL);
        Allclose.assertRelClose("b", g.get("b"), golden.get("clip.b_after"), TOL);
        assertThat(g.get("pos_embed").toFloatVector()).containsOnly(1e3f);
    }

    @Test
    void largeBuffersGiveTheNormOfAllElements() {
        int n = 300_001;
        ParameterSet g = ParameterSet.builder().add("w", n).build();
        INDArray values = Nd4j.randn(DataType.FLOAT, n);
        g.get("w").assign(values);
        double expected = Math.sqrt(values.castTo(DataType.DOUBLE).mul(values.castTo(DataType.DOUBLE)).sumNumber()
                .doubleValue());
        double norm = GradClip.clipGradNorm(g, 2.0);
        assertThat(norm).isCloseTo(expected, within(1e-9 * expected));
        double clippedNorm = g.flat().castTo(DataType.DOUBLE).norm2Number().doubleValue();
        assertThat(clippedNorm).isCloseTo(2.0, within(1e-5));
    }
}
