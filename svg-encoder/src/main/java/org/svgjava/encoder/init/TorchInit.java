package org.svgjava.encoder.init;

import java.util.SplittableRandom;
import java.util.function.DoubleSupplier;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * PyTorch's parameter initialisers, drawn from one seeded generator so a model's initial weights depend only on
 * the seed. The distributions are PyTorch's; the random streams are not (PyTorch's generator is not reproduced).
 */
public final class TorchInit {
    private final SplittableRandom rng;

    public TorchInit(long seed) {
        this.rng = new SplittableRandom(seed);
    }

    /** {@code nn.init.normal_(w, mean, std)}. */
    public void normal(INDArray w, double mean, double std) {
        fill(w, () -> mean + std * gaussian());
    }

    /** {@code nn.init.trunc_normal_(w, std=std)}: N(0, std) redrawn outside the absolute bounds [-2, 2]. */
    public void truncatedNormal(INDArray w, double std) {
        fill(w, () -> {
            double v;
            do {
                v = std * gaussian();
            } while (v < -2 || v > 2);
            return v;
        });
    }

    /** {@code nn.init.xavier_uniform_}: U(-a, a) with a = sqrt(6 / (fan_in + fan_out)). */
    public void xavierUniform(INDArray w) {
        double bound = Math.sqrt(6.0 / (fanIn(w) + fanOut(w)));
        uniform(w, -bound, bound);
    }

    /**
     * The default of {@code nn.Linear} and {@code nn.Conv2d} ({@code kaiming_uniform_(a=sqrt(5))}): weight and bias
     * U(-1/sqrt(fan_in), 1/sqrt(fan_in)); bias may be null.
     */
    public void torchDefault(INDArray weight, INDArray bias) {
        double bound = 1 / Math.sqrt(fanIn(weight));
        uniform(weight, -bound, bound);
        if (bias != null) {
            uniform(bias, -bound, bound);
        }
    }

    public void uniform(INDArray w, double lo, double hi) {
        fill(w, () -> lo + (hi - lo) * rng.nextDouble());
    }

    /** Receptive-field size times input channels, as {@code torch.nn.init._calculate_fan_in_and_fan_out}. */
    static long fanIn(INDArray w) {
        return w.size(1) * receptive(w);
    }

    static long fanOut(INDArray w) {
        return w.size(0) * receptive(w);
    }

    private static long receptive(INDArray w) {
        long r = 1;
        for (int i = 2; i < w.rank(); i++) {
            r *= w.size(i);
        }
        return r;
    }

    private double gaussian() {
        // Marsaglia polar method: SplittableRandom has no nextGaussian before Java 17's RandomGenerator default
        double u;
        double v;
        double s;
        do {
            u = 2 * rng.nextDouble() - 1;
            v = 2 * rng.nextDouble() - 1;
            s = u * u + v * v;
        } while (s >= 1 || s == 0);
        return u * Math.sqrt(-2 * Math.log(s) / s);
    }

    private static void fill(INDArray w, DoubleSupplier f) {
        double[] d = new double[Math.toIntExact(w.length())];
        for (int i = 0; i < d.length; i++) {
            d[i] = f.getAsDouble();
        }
        w.assign(Nd4j.create(d, w.shape(), 'c').castTo(w.dataType()));
    }
}
