package org.svgjava.diffusion.train;

import java.util.Random;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.svgjava.core.optim.AdamW;
import org.svgjava.core.optim.Ema;
import org.svgjava.core.optim.GradClip;
import org.svgjava.diffusion.flow.RectifiedFlow;
import org.svgjava.diffusion.model.SiT;

/**
 * One optimisation step of SVG's stage 2, as the official {@code train_svg.py}: rectified-flow loss at shifted
 * times, label dropout, AdamW (the fixed {@code pos_embed} excluded), optional gradient clipping, EMA of every
 * parameter. All randomness of step k comes from generators seeded with {@code (seed, k)}, so a run resumed at
 * step k continues exactly as if it had never stopped.
 */
public final class FlowTrainingStep {
    /** Settings; {@link #official()} are the released ones. */
    public record Settings(double lr, double beta1, double beta2, double weightDecay, double emaDecay, double shift,
                           double clipNorm) {
        public static Settings official() {
            return new Settings(1e-4, 0.9, 0.999, 0.0, 0.9999, 0.4, 0);
        }

        public Settings withLr(double v) {
            return new Settings(v, beta1, beta2, weightDecay, emaDecay, shift, clipNorm);
        }

        public Settings withEmaDecay(double v) {
            return new Settings(lr, beta1, beta2, weightDecay, v, shift, clipNorm);
        }

        /** Clip the global gradient norm to v; 0 turns clipping off (the official default). */
        public Settings withClipNorm(double v) {
            return new Settings(lr, beta1, beta2, weightDecay, emaDecay, shift, v);
        }
    }

    /** What one step measured. */
    public record Result(long step, double loss, double gradNorm) {
    }

    private final SiT model;
    private final Settings settings;
    private final long seed;
    private final AdamW optimizer;
    private final Ema ema;
    private INDArray noise;
    private INDArray zt;
    private INDArray target;
    private INDArray dOut;

    public FlowTrainingStep(SiT model, Settings settings, long seed) {
        this.model = model;
        this.settings = settings;
        this.seed = seed;
        model.train(true);
        model.inference(false);
        this.optimizer = new AdamW(model.parameters(), model.gradients(), settings.lr(), settings.beta1(),
                settings.beta2(), 1e-8, settings.weightDecay(), name -> !name.equals("pos_embed"));
        this.ema = new Ema(model.parameters(), settings.emaDecay());
    }

    public AdamW optimizer() {
        return optimizer;
    }

    public Ema ema() {
        return ema;
    }

    /** Steps taken so far (also the index of the next step's random streams). */
    public long stepCount() {
        return optimizer.stepCount();
    }

    /** One step on normalised latent tokens {@code x1 [N, T, C]} with labels y. */
    public Result step(INDArray x1, long[] y) {
        return step(java.util.List.of(x1), java.util.List.of(y));
    }

    /**
     * One optimiser step over several micro-batches (gradient accumulation): the gradients of the micro-batch
     * losses are averaged, so the step equals one over their union when they have equal sizes.
     *
     * @throws NonFiniteLossException before any update, when a loss is NaN or infinite
     */
    public Result step(java.util.List<INDArray> micro, java.util.List<long[]> labels) {
        long k = optimizer.stepCount();
        model.zeroGradients();
        double lossSum = 0;
        for (int m = 0; m < micro.size(); m++) {
            INDArray x1 = micro.get(m);
            Random rng = new Random(mix(seed, k * 1_000_003L + m));
            if (noise == null || !java.util.Arrays.equals(noise.shape(), x1.shape())) {
                noise = x1.ulike();
                zt = x1.ulike();
                target = x1.ulike();
            }
            Nd4j.randn(noise, Nd4j.getRandomFactory().getNewRandomInstance(rng.nextLong()));
            double[] u = new double[(int) x1.size(0)];
            for (int i = 0; i < u.length; i++) {
                u[i] = rng.nextDouble();
            }
            double[] t = RectifiedFlow.times(u, settings.shift());
            RectifiedFlow.interpolate(noise, x1, t, zt);
            target.assign(x1).subi(noise);
            INDArray out = model.forward(zt, t, model.dropLabels(labels.get(m), rng));
            if (dOut == null || !java.util.Arrays.equals(dOut.shape(), out.shape())) {
                dOut = out.ulike();
            }
            double loss = RectifiedFlow.loss(out, target, dOut);
            if (!Double.isFinite(loss)) {
                throw new NonFiniteLossException(k, loss);
            }
            lossSum += loss;
            dOut.muli(1.0 / micro.size());
            model.backward(dOut);
        }
        double norm = settings.clipNorm() > 0
                ? GradClip.clipGradNorm(model.gradients(), settings.clipNorm())
                : Double.NaN;
        if (settings.clipNorm() > 0 && !Double.isFinite(norm)) {
            throw new NonFiniteLossException(k, norm);
        }
        optimizer.step();
        ema.update();
        return new Result(k, lossSum / micro.size(), norm);
    }

    /** A well-spread seed for step k of a run (SplitMix64 finaliser). */
    static long mix(long seed, long k) {
        long z = seed + 0x9E3779B97F4A7C15L * (k + 1);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
