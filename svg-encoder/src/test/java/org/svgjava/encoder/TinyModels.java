package org.svgjava.encoder;

import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.svgjava.core.testing.Differentiable;
import org.svgjava.core.testing.GradientCheck;
import org.svgjava.encoder.autoencoder.DistributionMatching;
import org.svgjava.encoder.autoencoder.ResidualEncoderConfig;
import org.svgjava.encoder.autoencoder.SvgAutoencoder;
import org.svgjava.encoder.autoencoder.SvgAutoencoderConfig;
import org.svgjava.encoder.decoder.DecoderSpec;
import org.svgjava.encoder.decoder.VitDecoderConfig;
import org.svgjava.encoder.dino.DinoV3;
import org.svgjava.encoder.dino.DinoV3Config;

/** Small models for gradient checks: 32x32 images, a 2x2 latent grid, random seeded weights. */
public final class TinyModels {
    public static final int IMAGE = 32;
    public static final DinoV3Config DINO = DinoV3Config.of("dinov3_test", 16, 1, 2, true, 32);
    public static final ResidualEncoderConfig RESIDUAL = new ResidualEncoderConfig(IMAGE, 16, 1, 2, 8, 16, 4, 0.1, 0.1);
    public static final VitDecoderConfig VIT_DECODER = new VitDecoderConfig(20, 2, 16, 8, 1, 2, 2.0);

    private TinyModels() {
    }

    public static DinoV3 dino() {
        return DinoV3.random(DINO, 1);
    }

    public static SvgAutoencoderConfig config(DecoderSpec decoder, double maskRatio, boolean outNorm,
                                              DistributionMatching.Mode mode) {
        return new SvgAutoencoderConfig(DINO, RESIDUAL, decoder, maskRatio, outNorm, mode);
    }

    /** A built, initialised autoencoder of the given type around a random DINO. */
    public static SvgAutoencoder autoencoder(SvgAutoencoderConfig cfg, DataType type, long seed) {
        SvgAutoencoder ae = new SvgAutoencoder(cfg, dino(), seed);
        ae.build(type);
        ae.initialize(seed);
        return ae;
    }

    public static INDArray images(int batch, long seed, DataType type) {
        Nd4j.getRandom().setSeed(seed);
        return Nd4j.rand(type, batch, 3, IMAGE, IMAGE).muli(2).subi(1);
    }

    /**
     * Gradient-check options for whole models: a few elements per tensor, and an absolute floor for the round-off
     * of a loss summed over thousands of outputs (about 1e-12 absolute, divided by the 2e-5 of the difference).
     */
    public static GradientCheck.Options sparse(int perTensor) {
        GradientCheck.Options d = GradientCheck.Options.defaults();
        return new GradientCheck.Options(1e-5, 1e-5, 1e-7, perTensor, d.seed());
    }

    /** A Differentiable over a root's parameters whose forward ignores its input (gradient w.r.t. it is zero). */
    public static Differentiable parametersOnly(java.util.function.Supplier<INDArray> forward,
                                                java.util.function.Consumer<INDArray> backward,
                                                Map<String, INDArray> params, Map<String, INDArray> grads) {
        return new Differentiable() {
            private INDArray dummy;

            @Override
            public INDArray forward(INDArray input) {
                dummy = input;
                return forward.get();
            }

            @Override
            public INDArray backward(INDArray dy) {
                backward.accept(dy);
                return dummy.ulike().assign(0);
            }

            @Override
            public Map<String, INDArray> parameters() {
                return params;
            }

            @Override
            public Map<String, INDArray> gradients() {
                return grads;
            }
        };
    }
}
