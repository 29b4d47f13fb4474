package org.svgjava.diffusion.flow;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.svgjava.core.testing.Allclose;

/**
 * Data x1 ~ N(mu, diag(s^2)) has a closed-form velocity, and the flow ODE maps noise z0 to exactly
 * {@code mu + s z0} (the monotone map between one-dimensional Gaussians). Samplers must reproduce that map (ODE)
 * or the distribution (SDE).
 */
class GaussianSamplingTest {
    static final double[] MU = {1.5, -2.0, 0.0, 0.5};
    static final double[] S = {0.5, 2.0, 1.0, 0.1};

    /** v(z, t) = E[x1 - x0 | z_t = z] = mu + (t s^2 - (1 - t)) / (t^2 s^2 + (1 - t)^2) (z - t mu). */
    static final VelocityField FIELD = (z, t, step) -> {
        INDArray v = z.ulike();
        for (int c = 0; c < MU.length; c++) {
            double var = t * t * S[c] * S[c] + (1 - t) * (1 - t);
            double k = (t * S[c] * S[c] - (1 - t)) / var;
            INDArray col = z.getColumn(c);
            v.getColumn(c).assign(col.sub(t * MU[c]).muli(k).addi(MU[c]));
        }
        return v;
    };

    static INDArray exactMap(INDArray z0) {
        INDArray x = z0.dup();
        for (int c = 0; c < MU.length; c++) {
            x.getColumn(c).muli(S[c]).addi(MU[c]);
        }
        return x;
    }

    static INDArray noise(int n, long seed) {
        Nd4j.getRandom().setSeed(seed);
        return Nd4j.randn(DataType.DOUBLE, n, MU.length);
    }

    @Test
    void heunConvergesToTheExactMapAtSecondOrder() {
        INDArray z0 = noise(64, 1);
        INDArray exact = exactMap(z0);
        double e20 = Allclose.compare(new HeunSampler(20, 1.0).sample(FIELD, z0), exact).maxAbsError();
        double e40 = Allclose.compare(new HeunSampler(40, 1.0).sample(FIELD, z0), exact).maxAbsError();
        assertThat(e40).isLessThan(2e-3);
        assertThat(e20 / e40).as("halving the step quarters the error").isBetween(3.0, 5.0);
    }

    @Test
    void eulerConvergesAtFirstOrder() {
        INDArray z0 = noise(64, 2);
        INDArray exact = exactMap(z0);
        double e100 = Allclose.compare(new EulerSampler(100, 1.0).sample(FIELD, z0), exact).maxAbsError();
        double e200 = Allclose.compare(new EulerSampler(200, 1.0).sample(FIELD, z0), exact).maxAbsError();
        assertThat(e200).isLessThan(0.05);
        assertThat(e100 / e200).isBetween(1.7, 2.3);
    }

    @Test
    void dopri5IsAccurateWithFewEvaluations() {
        INDArray z0 = noise(64, 3);
        Dopri5Sampler dopri = new Dopri5Sampler(1e-6, 1e-8);
        INDArray z1 = dopri.sample(FIELD, z0);
        Allclose.assertAllclose("dopri5", z1, exactMap(z0), 1e-4, 1e-5);
        assertThat(dopri.evaluations()).isLessThan(400);
        assertThat(z0).as("input untouched").isEqualTo(noise(64, 3));
    }

    @Test
    void eulerMaruyamaHasTheDataDistribution() {
        int n = 20000;
        INDArray z0 = noise(n, 4);
        INDArray x = new EulerMaruyamaSampler(200, 1.0, 1.0, 7).sample(FIELD, z0);
        for (int c = 0; c < MU.length; c++) {
            INDArray col = x.getColumn(c);
            double mean = col.meanNumber().doubleValue();
            double std = col.stdNumber().doubleValue();
            assertThat(mean).as("mean of channel " + c).isCloseTo(MU[c], org.assertj.core.data.Offset.offset(5 * S[c] / Math.sqrt(n) + 0.01 * S[c]));
            assertThat(std / S[c]).as("std of channel " + c).isBetween(0.95, 1.05);
        }
        // and it is stochastic: not the ODE map
        assertThat(Allclose.compare(x, exactMap(z0)).maxAbsError()).isGreaterThan(0.1);
    }
}
