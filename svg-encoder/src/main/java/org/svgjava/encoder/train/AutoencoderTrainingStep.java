package org.svgjava.encoder.train;

import java.util.OptionalDouble;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.svgjava.core.nn.BatchNorm2d;
import org.svgjava.core.optim.AdamW;
import org.svgjava.encoder.autoencoder.SvgAutoencoder;
import org.svgjava.encoder.loss.AdaptiveWeight;
import org.svgjava.encoder.loss.HingeLoss;
import org.svgjava.encoder.loss.Lpips;
import org.svgjava.encoder.loss.NLayerDiscriminator;
import org.svgjava.encoder.loss.ReconstructionLoss;

/**
 * One stage-1 step of the official autoencoder training ({@code DinoDecoder.training_step} with
 * {@code LPIPSWithDiscriminatorDecoder}), manual optimisation with two optimisers:
 * <pre>
 * x_rec = decode(encode(x))                                          # train mode: dropout, mask token
 * nll   = sum(|x - x_rec| + LPIPS(x, x_rec)) / B;  g = -mean(D(x_rec))
 * d     = clamp(|dnll/dW| / (|dg/dW| + 1e-4), 0, 1e4) * 0.5          # W = decoder.conv_out.weight
 * loss  = nll + d * adopt(1, global_step, disc_start) * g  -> Adam(0.5, 0.9) on extra_vit, decoder, mask_token
 * d_loss = adopt(...) * 0.5 (mean relu(1 - D(x)) + mean relu(1 + D(x_rec)))  -> Adam(0.5, 0.9) on D
 * </pre>
 * {@code global_step} counts optimiser steps, two per batch, as Lightning's does under manual optimisation, so
 * the discriminator switches on one step before the generator's GAN term. The discriminator runs in train mode in
 * both passes (its BatchNorms use each call's batch and update their running statistics three times per step).
 * The discriminator pass uses the reconstructions from before the autoencoder update, as the official code does.
 * Dropout and mask draws of step k come from generators seeded by (seed, k), so a resumed run continues exactly.
 */
public final class AutoencoderTrainingStep {
    /** Settings; {@link #official()} are the released ones. */
    public record Settings(double lr, double beta1, double beta2, long discStart, double discWeight, double discFactor,
                           double perceptualWeight) {
        public static Settings official() {
            return new Settings(1e-4, 0.5, 0.9, 5001, 0.5, 1.0, 1.0);
        }

        public Settings withLr(double v) {
            return new Settings(v, beta1, beta2, discStart, discWeight, discFactor, perceptualWeight);
        }

        public Settings withDiscStart(long v) {
            return new Settings(lr, beta1, beta2, v, discWeight, discFactor, perceptualWeight);
        }
    }

    /** What one step measured (the official log's names). */
    public record Result(long step, long globalStep, double totalLoss, double nllLoss, double recLoss, double pLoss,
                         double gLoss, double dWeight, double discFactor, double discLoss, double logitsReal,
                         double logitsFake) {
    }

    /** The generator pass's values, with the ae gradients left in place. */
    record GeneratorPass(double total, ReconstructionLoss.Value rec, double gLoss, double dWeight, double discFactor,
                         INDArray reconstructions) {
    }

    private final SvgAutoencoder ae;
    private final NLayerDiscriminator disc;
    private final Settings settings;
    private final long seed;
    private final ReconstructionLoss reconstruction;
    private final AdamW aeOptimizer;
    private final AdamW discOptimizer;
    private long globalStep;
    private long steps;

    /** @param lpips the perceptual term, or null for L1 alone (when no VGG16/LPIPS weights are at hand) */
    public AutoencoderTrainingStep(SvgAutoencoder ae, NLayerDiscriminator disc, Lpips lpips, Settings settings, long seed) {
        this.ae = ae;
        this.disc = disc;
        this.settings = settings;
        this.seed = seed;
        this.reconstruction = new ReconstructionLoss(lpips, settings.perceptualWeight());
        ae.train(true);
        ae.inference(false);
        disc.train(true);
        disc.inference(false);
        // torch.optim.Adam: eps 1e-8, no weight decay; every autoencoder parameter is trainable
        aeOptimizer = AdamW.adam(ae.parameters(), ae.gradients(), settings.lr(), settings.beta1(), settings.beta2(), 1e-8, 0);
        discOptimizer = AdamW.adam(disc.parameters(), disc.gradients(), settings.lr(), settings.beta1(), settings.beta2(),
                1e-8, 0, name -> !BatchNorm2d.isBuffer(name));
    }

    public SvgAutoencoder autoencoder() {
        return ae;
    }

    public NLayerDiscriminator discriminator() {
        return disc;
    }

    public AdamW autoencoderOptimizer() {
        return aeOptimizer;
    }

    public AdamW discriminatorOptimizer() {
        return discOptimizer;
    }

    /** Batches trained so far (the index of the next step's random streams). */
    public long stepCount() {
        return steps;
    }

    /** Optimiser steps so far (Lightning's {@code global_step}). */
    public long globalStep() {
        return globalStep;
    }

    /** Continues a run: the batch count and global step to resume at (optimiser states are restored separately). */
    public void resumeAt(long batches, long global) {
        this.steps = batches;
        this.globalStep = global;
    }

    /** One step on images {@code [B, 3, H, W]} in [-1, 1]. */
    public Result step(INDArray images) {
        long k = steps;
        GeneratorPass gen = generatorPass(images, k, OptionalDouble.empty());
        aeOptimizer.step();
        globalStep++;
        double factor = AdaptiveWeight.adopt(settings.discFactor(), globalStep, settings.discStart());
        disc.zeroGradients();
        INDArray real = disc.forward(images);
        double meanReal = real.meanNumber().doubleValue();
        INDArray dReal = real.ulike();
        double lossReal = HingeLoss.real(real, factor, dReal);
        disc.backward(dReal);
        INDArray fake = disc.forward(gen.reconstructions());
        double meanFake = fake.meanNumber().doubleValue();
        INDArray dFake = fake.ulike();
        double lossFake = HingeLoss.fake(fake, factor, dFake);
        disc.backward(dFake);
        discOptimizer.step();
        globalStep++;
        steps++;
        return new Result(k, globalStep, gen.total(), gen.rec().nll(), gen.rec().recMean(), gen.rec().pMean(),
                gen.gLoss(), gen.dWeight(), gen.discFactor(), lossReal + lossFake, meanReal, meanFake);
    }

    /**
     * The autoencoder half for batch k: forward, loss, adaptive weight and backward into the (zeroed) autoencoder
     * gradients. {@code fixedDWeight} replaces the adaptive weight (tests hold it constant, as the detached
     * official value is).
     */
    GeneratorPass generatorPass(INDArray images, long k, OptionalDouble fixedDWeight) {
        ae.reseed(mix(seed, k));
        ae.zeroGradients();
        INDArray latent = ae.encode(images);
        INDArray rec = ae.decode(latent);
        INDArray dNll = rec.ulike();
        ReconstructionLoss.Value v = reconstruction.compute(images, rec, dNll);
        INDArray logits = disc.forward(rec);
        INDArray dLogits = logits.ulike();
        double g = HingeLoss.generator(logits, dLogits);
        INDArray dG = disc.backward(dLogits).dup();
        double factor = AdaptiveWeight.adopt(settings.discFactor(), globalStep, settings.discStart());
        double dWeight = fixedDWeight.isPresent() ? fixedDWeight.getAsDouble()
                : AdaptiveWeight.of(ae.lastLayerWeightGradient(dNll), ae.lastLayerWeightGradient(dG), settings.discWeight());
        INDArray dRec = dNll.addi(dG.muli(dWeight * factor));
        ae.backwardEncode(ae.backwardDecode(dRec));
        return new GeneratorPass(v.nll() + dWeight * factor * g, v, g, dWeight, factor, rec.dup());
    }

    /** A well-spread seed for step k of a run (SplitMix64 finaliser). */
    static long mix(long seed, long k) {
        long z = seed + 0x9E3779B97F4A7C15L * (k + 1);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
