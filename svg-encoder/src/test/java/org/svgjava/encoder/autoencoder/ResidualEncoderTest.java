package org.svgjava.encoder.autoencoder;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.svgjava.core.testing.Differentiable;
import org.svgjava.core.testing.GradientCheck;
import org.svgjava.core.testing.ModuleCheck;
import org.svgjava.encoder.TinyModels;

class ResidualEncoderTest {
    private static ResidualEncoder tiny() {
        ResidualEncoder r = new ResidualEncoder(TinyModels.RESIDUAL, 3);
        r.build(DataType.DOUBLE);
        r.initialize(5);
        // torchvision starts the class token at 0 and MLP biases near 0: make every path carry signal
        Nd4j.getRandom().setSeed(8);
        r.parameters().get("class_token").assign(Nd4j.rand(DataType.DOUBLE, 1, 1, 8).subi(0.5));
        return r;
    }

    @Test
    void officialSizeHasTorchvisionNamesAndTheSpecsParameterCount() {
        ResidualEncoder r = new ResidualEncoder(ResidualEncoderConfig.official(), 0);
        assertThat(r.declaredNumel()).isEqualTo(11_192_840L);
        r.build(DataType.FLOAT);
        assertThat(r.parameters().views()).containsKeys("conv_proj.weight", "conv_proj.bias", "class_token",
                "encoder.pos_embedding", "encoder.layers.encoder_layer_5.self_attention.in_proj_weight",
                "encoder.layers.encoder_layer_5.self_attention.in_proj_bias",
                "encoder.layers.encoder_layer_0.self_attention.out_proj.weight", "encoder.layers.encoder_layer_0.ln_1.weight",
                "encoder.layers.encoder_layer_0.mlp.0.weight", "encoder.layers.encoder_layer_0.mlp.3.bias",
                "encoder.ln.weight", "heads.0.weight", "heads.2.bias");
        assertThat(r.parameters().get("encoder.pos_embedding").shape()).containsExactly(1, 257, 384);
        assertThat(r.parameters().get("encoder.layers.encoder_layer_0.self_attention.in_proj_weight").shape())
                .containsExactly(1152, 384);
        assertThat(r.parameters().get("heads.2.weight").shape()).containsExactly(8, 384);
    }

    @Test
    void initialisationFollowsTorchvision() {
        ResidualEncoder r = new ResidualEncoder(ResidualEncoderConfig.official(), 0);
        r.build(DataType.FLOAT);
        r.initialize(1);
        var p = r.parameters();
        assertThat(p.get("class_token").sumNumber().doubleValue()).isZero();
        assertThat(p.get("encoder.pos_embedding").stdNumber().doubleValue()).isBetween(0.019, 0.021);
        assertThat(p.get("conv_proj.weight").stdNumber().doubleValue()).isBetween(0.95 / 27.7, 1.05 / 27.7);
        double xavier = Math.sqrt(6.0 / (384 + 1152));
        assertThat(p.get("encoder.layers.encoder_layer_0.self_attention.in_proj_weight").maxNumber().doubleValue())
                .isBetween(0.99 * xavier, xavier);
        assertThat(p.get("encoder.layers.encoder_layer_0.self_attention.out_proj.bias").sumNumber().doubleValue()).isZero();
        assertThat(p.get("encoder.layers.encoder_layer_0.mlp.0.bias").amaxNumber().doubleValue()).isLessThan(1e-5);
        assertThat(p.get("encoder.ln.weight").minNumber().doubleValue()).isEqualTo(1.0);
    }

    @Test
    void evalBackwardMatchesFiniteDifferences() {
        ResidualEncoder r = tiny();
        GradientCheck.check(ModuleCheck.of(r), TinyModels.images(2, 1, DataType.DOUBLE), TinyModels.sparse(40));
    }

    @Test
    void trainingBackwardWithEveryDropoutMatchesFiniteDifferences() {
        ResidualEncoder r = tiny();
        r.train(true);
        Differentiable inner = ModuleCheck.of(r);
        GradientCheck.check(new Differentiable() {
            @Override
            public INDArray forward(INDArray input) {
                r.reseed(12);
                return inner.forward(input);
            }

            @Override
            public INDArray backward(INDArray dy) {
                return inner.backward(dy);
            }

            @Override
            public Map<String, INDArray> parameters() {
                return inner.parameters();
            }

            @Override
            public Map<String, INDArray> gradients() {
                return inner.gradients();
            }
        }, TinyModels.images(2, 2, DataType.DOUBLE), TinyModels.sparse(40));
    }

    @Test
    void dropoutIsSeededAndOnlyInTraining() {
        ResidualEncoder r = tiny();
        INDArray x = TinyModels.images(2, 3, DataType.DOUBLE);
        INDArray eval = r.forward(x).dup();
        assertThat(r.forward(x)).isEqualTo(eval);
        r.train(true);
        r.reseed(4);
        INDArray a = r.forward(x).dup();
        r.reseed(4);
        assertThat(r.forward(x)).isEqualTo(a);
        assertThat(a).isNotEqualTo(eval);
        assertThat(a.shape()).containsExactly(2, 4, 4);
    }

    @Test
    void refusesOtherImageSizesLikeTorchvision() {
        ResidualEncoder r = tiny();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> r.forward(Nd4j.zeros(DataType.DOUBLE, 1, 3, 48, 48)))
                .hasMessageContaining("fixed position table");
    }
}
