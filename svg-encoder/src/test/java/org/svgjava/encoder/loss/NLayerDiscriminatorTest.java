package org.svgjava.encoder.loss;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.svgjava.core.io.SafeTensors;
import org.svgjava.core.testing.Differentiable;
import org.svgjava.core.testing.GradientCheck;
import org.svgjava.core.testing.ModuleCheck;
import org.svgjava.encoder.TinyModels;

class NLayerDiscriminatorTest {
    private static NLayerDiscriminator tiny(DataType type) {
        NLayerDiscriminator d = new NLayerDiscriminator(3, 4, 3);
        d.build(type);
        d.initialize(1);
        return d;
    }

    @Test
    void officialSizeHasTamingsLayoutAndParameterCount() {
        NLayerDiscriminator d = NLayerDiscriminator.official();
        d.build(DataType.FLOAT);
        var v = d.parameters().views();
        long params = v.entrySet().stream().filter(e -> !org.svgjava.core.nn.BatchNorm2d.isBuffer(e.getKey()))
                .mapToLong(e -> e.getValue().length()).sum();
        assertThat(params).isEqualTo(2_765_633L);
        assertThat(v.get("main.0.weight").shape()).containsExactly(64, 3, 4, 4);
        assertThat(v).containsKeys("main.0.bias", "main.3.running_mean", "main.3.num_batches_tracked", "main.6.weight",
                "main.9.running_var", "main.11.bias");
        assertThat(v).doesNotContainKeys("main.2.bias", "main.5.bias", "main.8.bias");
        assertThat(v.get("main.8.weight").shape()).containsExactly(512, 256, 4, 4);
        assertThat(v.get("main.11.weight").shape()).containsExactly(1, 512, 4, 4);
    }

    @Test
    void initialisationIsTamingsWeightsInit() {
        NLayerDiscriminator d = NLayerDiscriminator.random(3, 64, 3, 2);
        var v = d.parameters().views();
        assertThat(v.get("main.8.weight").stdNumber().doubleValue()).isBetween(0.0195, 0.0205);
        assertThat(v.get("main.9.weight").meanNumber().doubleValue()).isBetween(0.99, 1.01);
        assertThat(v.get("main.9.bias").amaxNumber().doubleValue()).isZero();
        assertThat(v.get("main.9.running_var").minNumber().doubleValue()).isEqualTo(1.0);
    }

    @Test
    void patchGanOutputIs30x30For256Pixels() {
        NLayerDiscriminator d = tiny(DataType.FLOAT);
        d.inference(true);
        assertThat(d.forward(Nd4j.rand(DataType.FLOAT, 1, 3, 256, 256)).shape()).containsExactly(1, 1, 30, 30);
    }

    @Test
    void backwardMatchesFiniteDifferencesWithBatchAndRunningStatistics() {
        for (boolean training : new boolean[] {true, false}) {
            NLayerDiscriminator d = tiny(DataType.DOUBLE);
            // taming's N(0, 0.02) convs shrink the activations toward the LeakyReLU kink at 0 when eval's running
            // statistics (0, 1) do not renormalise them: finite differences need activations away from it
            d.parameters().views().forEach((k, v) -> {
                if (v.rank() == 4) {
                    v.muli(10);
                }
            });
            d.train(training);
            Differentiable m = ModuleCheck.of(d);
            Map<String, INDArray> params = new LinkedHashMap<>();
            Map<String, INDArray> grads = new LinkedHashMap<>();
            m.parameters().forEach((k, p) -> {
                if (!org.svgjava.core.nn.BatchNorm2d.isBuffer(k)) {
                    params.put(k, p);
                    grads.put(k, m.gradients().get(k));
                }
            });
            GradientCheck.check(new Differentiable() {
                @Override
                public INDArray forward(INDArray x) {
                    return m.forward(x);
                }

                @Override
                public INDArray backward(INDArray dy) {
                    return m.backward(dy);
                }

                @Override
                public Map<String, INDArray> parameters() {
                    return params;
                }

                @Override
                public Map<String, INDArray> gradients() {
                    return grads;
                }
            }, TinyModels.images(3, 4, DataType.DOUBLE), TinyModels.sparse(10));
        }
    }

    @Test
    void loadsTheCheckpointsDiscriminatorIncludingItsIntegerBatchCounters(@TempDir Path dir) throws Exception {
        NLayerDiscriminator src = tiny(DataType.FLOAT);
        Map<String, Object> tensors = new LinkedHashMap<>();
        src.parameters().views().forEach((k, v) -> tensors.put("loss.discriminator." + k,
                k.endsWith("num_batches_tracked") ? Nd4j.scalar(DataType.LONG, 7L) : v));
        tensors.put("decoder.conv_out.weight", Nd4j.zeros(DataType.FLOAT, 3, 8, 3, 3));
        Path file = dir.resolve("ae.safetensors");
        SafeTensors.write(file, tensors, Map.of());
        NLayerDiscriminator d = NLayerDiscriminator.load(file, 3, 4, 3);
        assertThat(d.parameters().get("main.2.weight")).isEqualTo(src.parameters().get("main.2.weight"));
        assertThat(d.parameters().get("main.3.num_batches_tracked").getDouble(0)).isEqualTo(7.0);
        assertThat(Files.size(file)).isPositive();
    }
}
