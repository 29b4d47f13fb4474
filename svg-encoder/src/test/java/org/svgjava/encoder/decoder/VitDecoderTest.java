package org.svgjava.encoder.decoder;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.svgjava.core.testing.Allclose;
import org.svgjava.core.testing.GradientCheck;
import org.svgjava.core.testing.ModuleCheck;
import org.svgjava.encoder.TinyModels;

class VitDecoderTest {
    private static final VitDecoderConfig TINY = new VitDecoderConfig(5, 2, 2, 8, 2, 2, 2.0);

    @Test
    void unpatchifyIsMaesLayout() {
        int gh = 2;
        int gw = 3;
        int p = 2;
        INDArray patches = Nd4j.arange(2 * 6 * 12).castTo(DataType.DOUBLE).reshape(2, 6, 12);
        INDArray img = VitDecoder.unpatchify(patches, gh, gw, p, Nd4j.create(DataType.DOUBLE, 2, 3, 4, 6));
        for (int b = 0; b < 2; b++) {
            for (int c = 0; c < 3; c++) {
                for (int y = 0; y < 4; y++) {
                    for (int x = 0; x < 6; x++) {
                        int token = (y / p) * gw + x / p;
                        int entry = ((y % p) * p + x % p) * 3 + c;
                        assertThat(img.getDouble(b, c, y, x)).isEqualTo(patches.getDouble(b, token, entry));
                    }
                }
            }
        }
        assertThat(VitDecoder.patchify(img, gh, gw, p, Nd4j.create(DataType.DOUBLE, 2, 6, 12))).isEqualTo(patches);
    }

    @Test
    void backwardMatchesFiniteDifferences() {
        VitDecoder d = new VitDecoder(TINY);
        d.build(DataType.DOUBLE);
        d.initialize(1);
        Nd4j.getRandom().setSeed(2);
        d.parameters().flat().addi(Nd4j.rand(DataType.DOUBLE, d.parameters().numel()).subi(0.5).muli(0.2));
        INDArray z = Nd4j.rand(DataType.DOUBLE, 2, 5, 1, 4).subi(0.5);
        assertThat(d.forward(z).shape()).containsExactly(2, 3, 2, 8);
        GradientCheck.check(ModuleCheck.of(d), z, TinyModels.sparse(20));
    }

    @Test
    void lastLayerGradientIsThePredictionWeightGradient() {
        VitDecoder d = new VitDecoder(TINY);
        d.build(DataType.DOUBLE);
        d.initialize(3);
        d.forward(Nd4j.rand(DataType.DOUBLE, 2, 5, 2, 2));
        INDArray dy = Nd4j.rand(DataType.DOUBLE, 2, 3, 4, 4);
        d.zeroGradients();
        d.backward(dy);
        INDArray full = d.gradients().get("decoder_pred.weight").dup();
        Allclose.assertRelClose("decoder_pred", d.lastLayerWeightGradient(dy), full, 1e-14);
        assertThat(d.parameters().views()).containsKeys("decoder_embed.weight", "decoder_pos_embed",
                "decoder_blocks.1.attn.qkv.weight", "decoder_blocks.0.mlp.fc2.bias", "decoder_norm.weight", "decoder_pred.bias");
    }
}
