package org.svgjava.diffusion.flow;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Adaptive Dormand-Prince 5(4) from t = 0 to 1 (the {@code dopri5} that SiT and RAE sample with): the step size
 * follows the embedded error estimate, so accuracy is set by {@code rtol}/{@code atol} instead of a step count.
 * Guidance schedules that depend on the step index cannot drive it.
 */
public final class Dopri5Sampler implements Sampler {
    private static final double[] C = {0, 1.0 / 5, 3.0 / 10, 4.0 / 5, 8.0 / 9, 1, 1};
    private static final double[][] A = {
        {},
        {1.0 / 5},
        {3.0 / 40, 9.0 / 40},
        {44.0 / 45, -56.0 / 15, 32.0 / 9},
        {19372.0 / 6561, -25360.0 / 2187, 64448.0 / 6561, -212.0 / 729},
        {9017.0 / 3168, -355.0 / 33, 46732.0 / 5247, 49.0 / 176, -5103.0 / 18656},
        {35.0 / 384, 0, 500.0 / 1113, 125.0 / 192, -2187.0 / 6784, 11.0 / 84},
    };
    /** 5th-order weights (= last row of A) minus the embedded 4th-order weights. */
    private static final double[] E = {71.0 / 57600, 0, -71.0 / 16695, 71.0 / 1920, -17253.0 / 339200, 22.0 / 525, -1.0 / 40};

    private final double rtol;
    private final double atol;
    private final int maxEvaluations;
    private int evaluations;

    public Dopri5Sampler(double rtol, double atol) {
        this(rtol, atol, 10_000);
    }

    public Dopri5Sampler(double rtol, double atol, int maxEvaluations) {
        this.rtol = rtol;
        this.atol = atol;
        this.maxEvaluations = maxEvaluations;
    }

    @Override
    public INDArray sample(VelocityField field, INDArray z0) {
        INDArray z = z0.dup('c');
        INDArray[] k = new INDArray[7];
        for (int i = 0; i < 7; i++) {
            k[i] = z.ulike();
        }
        INDArray stage = z.ulike();
        INDArray err = z.ulike();
        INDArray scale = z.ulike();
        INDArray tmp = z.ulike();
        evaluations = 0;
        double t = 0;
        double h = 0.05;
        k[0].assign(eval(field, z, 0));
        while (t < 1) {
            h = Math.min(h, 1 - t);
            for (int s = 1; s < 7; s++) {
                stage.assign(z);
                for (int j = 0; j < s; j++) {
                    if (A[s][j] != 0) {
                        stage.addi(tmp.assign(k[j]).muli(h * A[s][j]));
                    }
                }
                k[s].assign(eval(field, stage, t + C[s] * h));
            }
            // stage now holds the 5th-order solution (row 6 of A), and k[6] its velocity (first-same-as-last)
            err.assign(0);
            for (int j = 0; j < 7; j++) {
                if (E[j] != 0) {
                    err.addi(tmp.assign(k[j]).muli(h * E[j]));
                }
            }
            // error norm: RMS of err / (atol + rtol max(|z|, |z_new|))
            Transforms.abs(scale.assign(z), false);
            Transforms.abs(tmp.assign(stage), false);
            Transforms.max(scale, tmp, false);
            scale.muli(rtol).addi(atol);
            double norm = Math.sqrt(err.divi(scale).muli(err).meanNumber().doubleValue());
            if (norm <= 1) {
                t += h;
                z.assign(stage);
                k[0].assign(k[6]);
            }
            double factor = norm == 0 ? 5 : Math.min(5, Math.max(0.2, 0.9 * Math.pow(norm, -0.2)));
            h *= factor;
            if (evaluations > maxEvaluations) {
                throw new IllegalStateException("dopri5 needed more than " + maxEvaluations + " evaluations (t = " + t + ")");
            }
        }
        return z;
    }

    private INDArray eval(VelocityField field, INDArray z, double t) {
        evaluations++;
        return field.at(z, Math.min(t, 1.0), -1);
    }

    @Override
    public int evaluations() {
        return evaluations;
    }
}
