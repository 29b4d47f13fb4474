package org.svgjava.encoder.decoder;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.svgjava.core.io.StateDict;
import org.svgjava.core.testing.Allclose;
import org.svgjava.core.testing.GradientCheck;
import org.svgjava.core.testing.Golden;
import org.svgjava.core.testing.ModuleCheck;
import org.svgjava.encoder.TinyModels;

class DecoderTest {
    /** 2x2 latent of 3 channels to 4x4 images: two levels of 64 and 32 channels, attention at 2x2. */
    static final DecoderConfig TINY = new DecoderConfig(32, new int[] {1, 2}, 0, new int[] {2}, 3, 4, 3);

    private static void randomise(org.svgjava.core.nn.Module m, long seed) {
        Nd4j.getRandom().setSeed(seed);
        m.parameters().flat().assign(Nd4j.rand(DataType.DOUBLE, m.parameters().numel()).subi(0.5).muli(0.5));
    }

    @Test
    void officialSizeHasTheSpecsNamesAndParameterCount() {
        Decoder d = new Decoder(DecoderConfig.official());
        assertThat(d.declaredNumel()).isEqualTo(43_076_483L);
        d.build(DataType.FLOAT);
        var v = d.parameters().views();
        assertThat(v).hasSize(194);
        assertThat(v.get("conv_in.weight").shape()).containsExactly(512, 392, 3, 3);
        assertThat(v.get("up.3.block.0.nin_shortcut.weight").shape()).containsExactly(256, 512, 1, 1);
        assertThat(v.get("up.1.block.0.nin_shortcut.weight").shape()).containsExactly(128, 256, 1, 1);
        assertThat(v).containsKeys("mid.attn_1.proj_out.weight", "up.4.attn.2.q.weight", "up.4.upsample.conv.weight",
                "up.1.upsample.conv.bias", "norm_out.weight", "conv_out.bias");
        assertThat(v.keySet()).noneMatch(k -> k.startsWith("up.0.upsample") || k.startsWith("up.3.attn")
                || k.startsWith("up.2.block.0.nin_shortcut"));
        assertThat(v.get("conv_out.weight").shape()).containsExactly(3, 128, 3, 3);
    }

    @Test
    void parametersComeInPyTorchsStateDictOrder() throws Exception {
        StateDict sd = StateDict.load(Golden.path("svg_autoencoder_tiny/autoencoder.ckpt"), "state_dict").select("decoder.");
        Decoder d = new Decoder(new DecoderConfig(32, new int[] {1, 2, 2}, 1, new int[] {4}, 72, 16, 3));
        d.build(DataType.FLOAT);
        assertThat(new ArrayList<>(d.parameters().views().keySet())).containsExactlyElementsOf(new ArrayList<>(sd.names()));
    }

    @Test
    void attentionIsSingleHeadSpatialSoftmaxAttention() {
        AttnBlock a = new AttnBlock(32);
        a.build(DataType.DOUBLE);
        randomise(a, 1);
        INDArray x = Nd4j.rand(DataType.DOUBLE, 2, 32, 2, 3);
        INDArray y = a.forward(x).dup();
        var p = a.parameters().views();
        // the definition, by hand: GroupNorm(32, 32) normalises each channel over its 6 positions
        INDArray x3 = x.reshape(2, 32, 6);
        INDArray mean = x3.mean(true, 2);
        INDArray var = x3.var(false, 2).reshape(2, 32, 1);
        INDArray hn = x3.sub(mean).divi(Transforms.sqrt(var.add(1e-6)))
                .muli(p.get("norm.weight").reshape(1, 32, 1)).addi(p.get("norm.bias").reshape(1, 32, 1));
        for (int b = 0; b < 2; b++) {
            INDArray h = hn.slice(b);
            INDArray q = p.get("q.weight").reshape(32, 32).mmul(h).addiColumnVector(p.get("q.bias").reshape(32, 1));
            INDArray k = p.get("k.weight").reshape(32, 32).mmul(h).addiColumnVector(p.get("k.bias").reshape(32, 1));
            INDArray v = p.get("v.weight").reshape(32, 32).mmul(h).addiColumnVector(p.get("v.bias").reshape(32, 1));
            INDArray w = Transforms.softmax(q.transpose().mmul(k).muli(Math.pow(32, -0.5)), true);
            INDArray o = v.mmul(w.transpose());
            INDArray out = p.get("proj_out.weight").reshape(32, 32).mmul(o).addiColumnVector(p.get("proj_out.bias").reshape(32, 1));
            Allclose.assertRelClose("attn " + b, y.slice(b).reshape(32, 6), out.addi(x3.slice(b)), 1e-12);
        }
    }

    @Test
    void blocksHaveExactGradients() {
        for (var m : List.of(new ResnetBlock(32, 32), new ResnetBlock(32, 64), new AttnBlock(32), new Upsample(32))) {
            m.build(DataType.DOUBLE);
            randomise(m, 2);
            GradientCheck.check(ModuleCheck.of((org.svgjava.core.nn.Module & org.svgjava.core.nn.Layer) m),
                    Nd4j.rand(DataType.DOUBLE, 2, 32, 3, 2).subi(0.5), TinyModels.sparse(15));
        }
    }

    @Test
    void wholeDecoderHasExactGradients() {
        Decoder d = new Decoder(TINY);
        d.build(DataType.DOUBLE);
        d.initialize(3);
        randomise(d, 3);
        INDArray z = Nd4j.rand(DataType.DOUBLE, 2, 3, 2, 2).subi(0.5);
        assertThat(d.forward(z).shape()).containsExactly(2, 3, 4, 4);
        GradientCheck.check(ModuleCheck.of(d), z, TinyModels.sparse(6));
    }

    @Test
    void lastLayerGradientIsConvOutsWeightGradientAndLeavesTheAccumulatorsAlone() {
        Decoder d = new Decoder(TINY);
        d.build(DataType.DOUBLE);
        d.initialize(4);
        INDArray z = Nd4j.rand(DataType.DOUBLE, 2, 3, 2, 2);
        d.forward(z);
        INDArray dy = Nd4j.rand(DataType.DOUBLE, 2, 3, 4, 4).subi(0.5);
        d.zeroGradients();
        d.backward(dy);
        INDArray full = d.gradients().get("conv_out.weight").dup();
        INDArray before = d.gradients().flat().dup();
        INDArray last = d.lastLayerWeightGradient(dy);
        Allclose.assertRelClose("last layer", last, full, 1e-14);
        assertThat(d.gradients().flat()).isEqualTo(before);
        assertThat(d.lastLayerName()).isEqualTo("conv_out");
    }

    @Test
    void inferenceModeComputesTheSameImagesInPlace() {
        Decoder d = new Decoder(TINY);
        d.build(DataType.FLOAT);
        d.initialize(5);
        INDArray z = Nd4j.randn(DataType.FLOAT, 2, 3, 2, 2);
        INDArray trainable = d.forward(z).dup();
        d.inference(true);
        assertThat(d.forward(z)).isEqualTo(trainable);
    }

    @Test
    void defaultInitialisationIsPyTorchs() {
        Decoder d = new Decoder(DecoderConfig.official());
        d.build(DataType.FLOAT);
        d.initialize(6);
        INDArray w = d.parameters().get("conv_in.weight");
        double bound = 1 / Math.sqrt(392 * 9);
        assertThat(w.amaxNumber().doubleValue()).isBetween(0.99 * bound, bound);
        assertThat(d.parameters().get("mid.block_1.norm1.weight").minNumber().doubleValue()).isEqualTo(1.0);
        assertThat(d.parameters().get("norm_out.bias").amaxNumber().doubleValue()).isZero();
    }
}
