package org.svgjava.diffusion.flow;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The official {@code heun} mode: an Euler predictor, then the average of the velocities at both ends. The last
 * step also evaluates at t = 1, as the reference does; two evaluations per step.
 */
public final class HeunSampler implements Sampler {
    private final double[] t;
    private int evaluations;

    public HeunSampler(int steps, double shift) {
        this.t = TimeShift.grid(steps, shift);
    }

    @Override
    public INDArray sample(VelocityField field, INDArray z0) {
        INDArray z = z0.dup('c');
        INDArray v1 = z.ulike();
        INDArray zTilde = z.ulike();
        evaluations = 0;
        for (int i = 0; i + 1 < t.length; i++) {
            float dt = (float) (t[i + 1] - t[i]);
            v1.assign(field.at(z, t[i], i));
            zTilde.assign(v1).muli(dt).addi(z);
            INDArray v2 = field.at(zTilde, t[i + 1], i);
            evaluations += 2;
            z.addi(v1.addi(v2).muli(0.5f * dt));
        }
        return z;
    }

    @Override
    public int evaluations() {
        return evaluations;
    }
}
