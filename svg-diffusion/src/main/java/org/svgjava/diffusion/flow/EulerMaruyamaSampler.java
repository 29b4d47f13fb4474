package org.svgjava.diffusion.flow;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.rng.Random;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A stochastic sampler with the same marginals as the flow ODE. For the linear path {@code z_t = t x1 + (1-t) x0}
 * the score follows from the velocity, {@code grad log p_t(z) = -(z - t v)/(1 - t)}, so
 * <pre>
 * dz = [v - w (z - t v)] dt + sqrt(2 w (1 - t)) dW        (diffusion eps(t) = w (1 - t))
 * </pre>
 * leaves every marginal unchanged for any w >= 0 (w = 0 is the ODE) and fades out the noise near the data. The
 * last step is taken without noise, as SiT's SDE sampler does.
 */
public final class EulerMaruyamaSampler implements Sampler {
    private final double[] t;
    private final double w;
    private final long seed;
    private int evaluations;

    public EulerMaruyamaSampler(int steps, double shift, double diffusion, long seed) {
        if (diffusion < 0) {
            throw new IllegalArgumentException("diffusion must be >= 0, got " + diffusion);
        }
        this.t = TimeShift.grid(steps, shift);
        this.w = diffusion;
        this.seed = seed;
    }

    @Override
    public INDArray sample(VelocityField field, INDArray z0) {
        Random rng = Seeds.nd4j(seed);
        INDArray z = z0.dup('c');
        INDArray drift = z.ulike();
        INDArray noise = z.ulike();
        evaluations = 0;
        int last = t.length - 2;
        for (int i = 0; i <= last; i++) {
            double ti = t[i];
            double dt = t[i + 1] - ti;
            INDArray v = field.at(z, ti, i);
            evaluations++;
            if (i == last || w == 0) {
                z.addi(drift.assign(v).muli(dt));
                continue;
            }
            // drift = v - w (z - t v) = (1 + w t) v - w z
            drift.assign(v).muli(1 + w * ti).subi(noise.assign(z).muli(w));
            Nd4j.randn(noise, rng);
            z.addi(drift.muli(dt)).addi(noise.muli(Math.sqrt(2 * w * (1 - ti) * dt)));
        }
        return z;
    }

    @Override
    public int evaluations() {
        return evaluations;
    }
}
