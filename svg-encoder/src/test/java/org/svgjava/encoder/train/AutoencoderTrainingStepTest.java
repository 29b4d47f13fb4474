package org.svgjava.encoder.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.svgjava.encoder.TinyModels;
import org.svgjava.encoder.autoencoder.DistributionMatching;
import org.svgjava.encoder.autoencoder.SvgAutoencoder;
import org.svgjava.encoder.decoder.DecoderConfig;
import org.svgjava.encoder.decoder.DecoderSpec;
import org.svgjava.encoder.loss.Lpips;
import org.svgjava.encoder.loss.NLayerDiscriminator;

class AutoencoderTrainingStepTest {
    private static final int[] VGG = {4, 4, 6, 6, 6};

    private static AutoencoderTrainingStep trainer(DecoderSpec decoder, boolean outNorm, DataType type, long discStart,
                                                   boolean lpips) {
        SvgAutoencoder ae = TinyModels.autoencoder(TinyModels.config(decoder, 0.5, outNorm, DistributionMatching.Mode.BATCH), type, 3);
        NLayerDiscriminator disc = new NLayerDiscriminator(3, 4, 3);
        disc.build(type);
        disc.initialize(4);
        Lpips l = lpips ? Lpips.random(VGG, type, 5) : null;
        return new AutoencoderTrainingStep(ae, disc, l, AutoencoderTrainingStep.Settings.official().withDiscStart(discStart), 11);
    }

    private static SvgAutoencoder ae(AutoencoderTrainingStep t) {
        return t.autoencoder();
    }

    @Test
    void autoencoderGradientIsTheGradientOfNllPlusWeightedGanTerm() {
        AutoencoderTrainingStep t = trainer(TinyModels.VIT_DECODER, false, DataType.DOUBLE, 0, true);
        SvgAutoencoder ae = ae(t);
        INDArray images = TinyModels.images(4, 1, DataType.DOUBLE);
        OptionalDouble w = OptionalDouble.of(0.37);
        t.generatorPass(images, 5, w);
        assertThat(ae.lastMaskFlags()).contains(true, false);
        var analytic = ae.gradients().flat().dup();
        Random rnd = new Random(3);
        List<String> failures = new ArrayList<>();
        double eps = 1e-5;
        for (var e : ae.parameters().views().entrySet()) {
            INDArray p = e.getValue();
            long[] range = ae.parameters().range(e.getKey());
            for (int s = 0; s < 2; s++) {
                long i = (long) (rnd.nextDouble() * p.length());
                INDArray flat = p.reshape(p.length());
                double orig = flat.getDouble(i);
                flat.putScalar(i, orig + eps);
                double plus = t.generatorPass(images, 5, w).total();
                flat.putScalar(i, orig - eps);
                double minus = t.generatorPass(images, 5, w).total();
                flat.putScalar(i, orig);
                double numeric = (plus - minus) / (2 * eps);
                double a = analytic.getDouble(range[0] + i);
                double diff = Math.abs(a - numeric);
                if (diff > 1e-6 && diff / (Math.abs(a) + Math.abs(numeric)) > 1e-4) {
                    failures.add(e.getKey() + "[" + i + "]: analytic " + a + ", numeric " + numeric);
                }
            }
        }
        assertThat(failures).isEmpty();
    }

    @Test
    void adaptiveWeightIsTheRatioOfLastLayerGradientNorms() {
        AutoencoderTrainingStep t = trainer(TinyModels.VIT_DECODER, true, DataType.DOUBLE, 0, false);
        SvgAutoencoder ae = ae(t);
        INDArray images = TinyModels.images(2, 2, DataType.DOUBLE);
        String last = "decoder.decoder_pred.weight";
        t.generatorPass(images, 0, OptionalDouble.of(0));
        INDArray nll = ae.gradients().get(last).dup();
        t.generatorPass(images, 0, OptionalDouble.of(1));
        INDArray g = ae.gradients().get(last).sub(nll);
        double expected = nll.norm2Number().doubleValue() / (g.norm2Number().doubleValue() + 1e-4) * 0.5;
        AutoencoderTrainingStep.GeneratorPass pass = t.generatorPass(images, 0, OptionalDouble.empty());
        assertThat(pass.dWeight()).isCloseTo(expected, within(1e-9 * expected));
        assertThat(pass.total()).isCloseTo(pass.rec().nll() + pass.dWeight() * pass.gLoss(), within(1e-9));
    }

    @Test
    void ganTermsSwitchOnFromDiscStartCountingTwoOptimiserStepsPerBatch() {
        AutoencoderTrainingStep t = trainer(TinyModels.VIT_DECODER, true, DataType.FLOAT, 3, false);
        INDArray images = TinyModels.images(2, 3, DataType.FLOAT);
        var r0 = t.step(images);
        var r1 = t.step(images);
        var r2 = t.step(images);
        assertThat(r0.discFactor()).isZero();
        assertThat(r0.discLoss()).isZero();
        assertThat(r1.discFactor()).as("the generator at global step 2").isZero();
        assertThat(r1.discLoss()).as("the discriminator at global step 3").isPositive();
        assertThat(r2.discFactor()).isEqualTo(1.0);
        assertThat(r2.totalLoss()).isCloseTo(r2.nllLoss() + r2.dWeight() * r2.gLoss(), within(1e-3));
        assertThat(t.globalStep()).isEqualTo(6);
        assertThat(t.stepCount()).isEqualTo(3);
        assertThat(t.autoencoderOptimizer().stepCount()).isEqualTo(3);
        assertThat(t.discriminatorOptimizer().stepCount()).isEqualTo(3);
    }

    @Test
    void officialOptimisersAreAdamHalfPointNineOnlyOnTrainableTensors() {
        AutoencoderTrainingStep t = trainer(TinyModels.VIT_DECODER, true, DataType.FLOAT, 5001, false);
        var s = AutoencoderTrainingStep.Settings.official();
        assertThat(s.lr()).isEqualTo(1e-4);
        assertThat(s.discStart()).isEqualTo(5001);
        assertThat(s.discWeight()).isEqualTo(0.5);
        for (var o : List.of(t.autoencoderOptimizer(), t.discriminatorOptimizer())) {
            assertThat(o.beta1()).isEqualTo(0.5);
            assertThat(o.beta2()).isEqualTo(0.9);
            assertThat(o.weightDecay()).isZero();
            assertThat(o.decoupledWeightDecay()).isFalse();
        }
        assertThat(t.autoencoderOptimizer().trainableNames()).contains("mask_token", "extra_vit.class_token",
                "decoder.decoder_pred.weight").noneMatch(n -> n.startsWith("encoder."));
        assertThat(t.discriminatorOptimizer().trainableNames()).contains("main.3.weight")
                .noneMatch(n -> n.contains("running_") || n.contains("num_batches"));
    }

    @Test
    void aRunResumedAtStepKContinuesExactly() {
        INDArray images = TinyModels.images(2, 4, DataType.FLOAT);
        AutoencoderTrainingStep a = trainer(TinyModels.VIT_DECODER, true, DataType.FLOAT, 0, false);
        a.step(images);
        AutoencoderTrainingStep b = trainer(TinyModels.VIT_DECODER, true, DataType.FLOAT, 0, false);
        ae(b).parameters().flat().assign(ae(a).parameters().flat());
        disc(b).parameters().flat().assign(disc(a).parameters().flat());
        copyOptimizer(a.autoencoderOptimizer(), b.autoencoderOptimizer());
        copyOptimizer(a.discriminatorOptimizer(), b.discriminatorOptimizer());
        b.resumeAt(a.stepCount(), a.globalStep());
        var ra = a.step(images);
        var rb = b.step(images);
        assertThat(rb).isEqualTo(ra);
        assertThat(ae(b).parameters().flat()).isEqualTo(ae(a).parameters().flat());
    }

    private static NLayerDiscriminator disc(AutoencoderTrainingStep t) {
        return t.discriminator();
    }

    private static void copyOptimizer(org.svgjava.core.optim.AdamW from, org.svgjava.core.optim.AdamW to) {
        from.moments().forEach((k, v) -> to.moments().get(k).flat().assign(v.flat()));
        to.setStepCount(from.stepCount());
    }

    @Test
    void officialConvDecoderTrainsAndTheReconstructionLossFalls() {
        // a conv decoder of the official layout (x16, attention at the latent resolution) at toy width
        DecoderConfig conv = new DecoderConfig(32, new int[] {1, 1, 1, 1, 1}, 0, new int[] {2}, 20, 32, 3);
        SvgAutoencoder ae = TinyModels.autoencoder(TinyModels.config(conv, 0.1, true, DistributionMatching.Mode.BATCH),
                DataType.FLOAT, 6);
        NLayerDiscriminator disc = NLayerDiscriminator.random(3, 4, 3, 7);
        AutoencoderTrainingStep t = new AutoencoderTrainingStep(ae, disc, null,
                AutoencoderTrainingStep.Settings.official().withLr(1e-3).withDiscStart(0), 1);
        INDArray images = TinyModels.images(2, 5, DataType.FLOAT);
        double first = t.step(images).recLoss();
        AutoencoderTrainingStep.Result r = null;
        for (int i = 0; i < 8; i++) {
            r = t.step(images);
        }
        assertThat(r.recLoss()).isLessThan(first);
        assertThat(r.dWeight()).isPositive();
        assertThat(Double.isFinite(r.discLoss())).isTrue();
    }
}
