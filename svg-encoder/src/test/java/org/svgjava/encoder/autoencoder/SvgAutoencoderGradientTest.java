package org.svgjava.encoder.autoencoder;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.svgjava.core.testing.GradientCheck;
import org.svgjava.encoder.TinyModels;

/** Gradients through encode (residual encoder, mask token, matching) and decode, in double precision. */
class SvgAutoencoderGradientTest {
    private static Map<String, INDArray> only(Map<String, INDArray> all, String... prefixes) {
        java.util.LinkedHashMap<String, INDArray> out = new java.util.LinkedHashMap<>();
        all.forEach((k, v) -> {
            for (String p : prefixes) {
                if (k.startsWith(p)) {
                    out.put(k, v);
                }
            }
        });
        return out;
    }

    @Test
    void trainingEncodeWithDropoutAndWholeSampleMaskHasExactGradients() {
        // without matching: in training its statistics are the batch's, which the official code detaches, so a
        // finite difference would see them move; the matching's own backward is checked with fixed statistics below
        SvgAutoencoder ae = TinyModels.autoencoder(TinyModels.config(TinyModels.VIT_DECODER, 0.5, false,
                DistributionMatching.Mode.BATCH), DataType.DOUBLE, 3);
        ae.train(true);
        INDArray images = TinyModels.images(4, 5, DataType.DOUBLE);
        ae.reseed(17);
        ae.encode(images);
        boolean[] flags = ae.lastMaskFlags();
        assertThat(flags).contains(true, false);
        var params = only(ae.parameters().views(), "extra_vit.", "mask_token", "decoder.");
        var grads = only(ae.gradients().views(), "extra_vit.", "mask_token", "decoder.");
        GradientCheck.check(TinyModels.parametersOnly(() -> {
            ae.reseed(17);
            return ae.decode(ae.encode(images));
        }, dy -> ae.backwardEncode(ae.backwardDecode(dy)), params, grads), Nd4j.zeros(DataType.DOUBLE, 1), TinyModels.sparse(12));
        // a masked sample's residual map is the token itself
        ae.reseed(17);
        SvgAutoencoder.Encoding e = ae.encodeParts(images);
        int masked = flags[0] ? 0 : flags[1] ? 1 : flags[2] ? 2 : 3;
        INDArray token = ae.parameters().get("mask_token").reshape(4, 1);
        assertThat(e.residualAligned().slice(masked)).isEqualTo(token.broadcast(4, 4));
    }

    @Test
    void evalEncodeWithFixedRunningStatisticsHasExactGradients() {
        SvgAutoencoder ae = TinyModels.autoencoder(TinyModels.config(TinyModels.VIT_DECODER, 0.1, true,
                DistributionMatching.Mode.RUNNING), DataType.DOUBLE, 4);
        ae.matching().setRunning(new DistributionMatching.Statistics(0.1, 1.3, -0.2, 0.7));
        INDArray images = TinyModels.images(2, 6, DataType.DOUBLE);
        var params = only(ae.parameters().views(), "extra_vit.");
        var grads = only(ae.gradients().views(), "extra_vit.");
        GradientCheck.check(TinyModels.parametersOnly(() -> ae.encode(images), ae::backwardEncode, params, grads),
                Nd4j.zeros(DataType.DOUBLE, 1), TinyModels.sparse(12));
        assertThat(ae.gradients().get("mask_token").sumNumber().doubleValue()).as("no mask in eval").isZero();
    }

    @Test
    void latentLayoutIsDinoChannelsThenResidualTokensRowMajor() {
        SvgAutoencoder ae = TinyModels.autoencoder(TinyModels.config(TinyModels.VIT_DECODER, 0.1, true,
                DistributionMatching.Mode.BATCH), DataType.FLOAT, 1);
        SvgAutoencoder.Encoding e = ae.encodeParts(TinyModels.images(2, 7, DataType.FLOAT));
        assertThat(e.latent().shape()).containsExactly(2, 20, 2, 2);
        assertThat(e.latent().getFloat(1, 3, 1, 0)).isEqualTo(e.dinoTokens().getFloat(1, 3, 2));
        assertThat(e.latent().getFloat(1, 17, 0, 1)).isEqualTo(e.residualAligned().getFloat(1, 1, 1));
    }
}
