package org.svgjava.diffusion.flow;

import org.nd4j.linalg.api.ndarray.INDArray;

/** The official {@code euler} mode: {@code z += dt_i v(z, t_i)} on the shifted grid; one evaluation per step. */
public final class EulerSampler implements Sampler {
    private final double[] t;
    private int evaluations;

    public EulerSampler(int steps, double shift) {
        this.t = TimeShift.grid(steps, shift);
    }

    @Override
    public INDArray sample(VelocityField field, INDArray z0) {
        INDArray z = z0.dup('c');
        INDArray step = z.ulike();
        evaluations = 0;
        for (int i = 0; i + 1 < t.length; i++) {
            float dt = (float) (t[i + 1] - t[i]);
            INDArray v = field.at(z, t[i], i);
            evaluations++;
            z.addi(step.assign(v).muli(dt));
        }
        return z;
    }

    @Override
    public int evaluations() {
        return evaluations;
    }
}
