package org.svgjava.encoder.autoencoder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;
import org.svgjava.core.io.StateDict;
import org.svgjava.core.io.TensorData;

/** How the official Lightning layout maps onto the model. */
class SvgAutoencoderLoadingTest {
    @Test
    void trainableTensorsAreExactlyTheOfficialOptimisersAndUnusedEntriesAreSkipped() throws Exception {
        StateDict sd = TinyAutoencoder.checkpoint()
                .with("norm_vit.weight", TensorData.of(Nd4j.ones(DataType.FLOAT, 40)))
                .with("loss.logvar", TensorData.of(Nd4j.zeros(DataType.FLOAT, 1)))
                .with("loss.discriminator.main.0.weight", TensorData.of(Nd4j.zeros(DataType.FLOAT, 2, 3, 4, 4)));
        SvgAutoencoder ae = SvgAutoencoder.fromStateDict(sd, TinyAutoencoder.config());
        assertThat(ae.parameters().views().keySet())
                .allMatch(k -> k.startsWith("extra_vit.") || k.startsWith("decoder.") || k.equals("mask_token"))
                .contains("mask_token", "extra_vit.heads.2.weight", "decoder.conv_out.weight");
        assertThat(ae.parameters().get("mask_token")).isEqualTo(sd.get("mask_token").toINDArray(DataType.FLOAT));
        assertThat(ae.dino().gradients()).as("DINOv3 is frozen").isNull();
        assertThat(ae.latentChannels()).isEqualTo(72);
    }

    @Test
    void aConfigWithoutMaskLoadsTheTrainedCheckpointLikeTheAuthorsInferenceConfig() throws Exception {
        SvgAutoencoder ae = SvgAutoencoder.fromStateDict(TinyAutoencoder.checkpoint(), TinyAutoencoder.config().withMaskRatio(-1));
        assertThat(ae.parameters().views()).doesNotContainKey("mask_token");
    }

    @Test
    void aWrongSizeIsRefusedWithEveryMismatch() throws Exception {
        SvgAutoencoderConfig c = TinyAutoencoder.config();
        ResidualEncoderConfig r = c.residual();
        SvgAutoencoderConfig wrong = new SvgAutoencoderConfig(c.dino(), new ResidualEncoderConfig(r.imageSize(),
                r.patchSize(), 3, r.numHeads(), r.hiddenDim(), r.mlpDim(), r.outputDim(), 0.1, 0.1), c.decoder(), 0.1, true,
                DistributionMatching.Mode.BATCH);
        assertThatThrownBy(() -> SvgAutoencoder.fromStateDict(TinyAutoencoder.checkpoint(), wrong))
                .hasMessageContaining("extra_vit.encoder.layers.encoder_layer_2.ln_1.weight");
    }

    @Test
    void decoderWidthMustMatchTheLatent() {
        assertThatThrownBy(() -> SvgAutoencoderConfig.official().withDecoder(
                new org.svgjava.encoder.decoder.DecoderConfig(128, new int[] {1, 1, 2, 2, 4}, 2, new int[] {16}, 384, 256, 3)))
                .hasMessageContaining("392");
    }
}
