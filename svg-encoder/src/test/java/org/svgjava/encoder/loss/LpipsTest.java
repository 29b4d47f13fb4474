package org.svgjava.encoder.loss;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.svgjava.core.io.SafeTensors;
import org.svgjava.core.testing.Differentiable;
import org.svgjava.core.testing.GradientCheck;
import org.svgjava.encoder.TinyModels;

/** LPIPS with seeded random VGG and lin weights: the definition, its properties and its gradient. */
class LpipsTest {
    static final int[] WIDTHS = {4, 4, 6, 6, 6};

    @Test
    void valueIsTheSumOverLayersOfSpatialMeansOfWeightedSquaredUnitFeatureDifferences() {
        Lpips l = Lpips.random(WIDTHS, DataType.DOUBLE, 1);
        INDArray x0 = TinyModels.images(2, 1, DataType.DOUBLE);
        INDArray x1 = TinyModels.images(2, 2, DataType.DOUBLE);
        INDArray value = l.forward(x0, x1).dup();
        // by hand, from the VGG maps of the scaled inputs
        Vgg16Features net = new Vgg16Features(WIDTHS);
        net.build(DataType.DOUBLE);
        l.parameters().views().forEach((k, v) -> {
            if (k.startsWith("net.")) {
                net.parameters().get(k.substring(4)).assign(v);
            }
        });
        INDArray[] f0 = dupAll(net.forward(scale(x0)));
        INDArray[] f1 = dupAll(net.forward(scale(x1)));
        double[] expected = new double[2];
        for (int k = 0; k < 5; k++) {
            INDArray w = l.parameters().get("lin" + k + ".model.1.weight").reshape(WIDTHS[k]);
            assertThat(w.minNumber().doubleValue()).isGreaterThanOrEqualTo(0.0);
            for (int b = 0; b < 2; b++) {
                INDArray a = unit(f0[k].slice(b));
                INDArray c = unit(f1[k].slice(b));
                INDArray sq = a.sub(c);
                sq.muli(sq);
                double sum = 0;
                for (int ch = 0; ch < WIDTHS[k]; ch++) {
                    sum += w.getDouble(ch) * sq.slice(ch).meanNumber().doubleValue();
                }
                expected[b] += sum;
            }
        }
        assertThat(value.getDouble(0)).isCloseTo(expected[0], within(1e-12));
        assertThat(value.getDouble(1)).isCloseTo(expected[1], within(1e-12));
        assertThat(expected[0]).isPositive();
        assertThat(l.forward(x0, x0.dup()).amaxNumber().doubleValue()).isZero();
    }

    private static INDArray[] dupAll(INDArray[] a) {
        INDArray[] out = new INDArray[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = a[i].dup();
        }
        return out;
    }

    private static INDArray scale(INDArray x) {
        INDArray s = x.dup();
        double[] shift = {-.030, -.088, -.188};
        double[] sc = {.458, .448, .450};
        for (int c = 0; c < 3; c++) {
            s.get(org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.point(c)).subi(shift[c]).divi(sc[c]);
        }
        return s;
    }

    /** [C, H, W] divided by its channel norm (+1e-10) at every position. */
    private static INDArray unit(INDArray f) {
        INDArray norm = Transforms.sqrt(f.mul(f).sum(true, 0)).addi(1e-10);
        return f.div(norm);
    }

    @Test
    void gradientWithRespectToTheReconstructionMatchesFiniteDifferences() {
        Lpips l = Lpips.random(WIDTHS, DataType.DOUBLE, 2);
        INDArray x0 = TinyModels.images(2, 3, DataType.DOUBLE);
        GradientCheck.check(new Differentiable() {
            @Override
            public INDArray forward(INDArray x1) {
                return l.forward(x0, x1);
            }

            @Override
            public INDArray backward(INDArray dy) {
                return l.backward(dy);
            }
        }, TinyModels.images(2, 4, DataType.DOUBLE), TinyModels.sparse(200));
    }

    @Test
    void loadsTorchvisionVgg16AndLpipsLinWeights(@TempDir Path dir) throws Exception {
        Lpips src = Lpips.random(WIDTHS, DataType.FLOAT, 3);
        Map<String, Object> vgg = new LinkedHashMap<>();
        Map<String, Object> lin = new LinkedHashMap<>();
        src.parameters().views().forEach((k, v) -> {
            if (k.startsWith("net.")) {
                // net.slice3.12.weight -> features.12.weight
                vgg.put("features." + k.substring(k.indexOf('.', 4) + 1), v);
            } else {
                lin.put(k, v);
            }
        });
        vgg.put("classifier.0.weight", Nd4j.zeros(DataType.FLOAT, 2, 2));
        Path vggFile = dir.resolve("vgg16.safetensors");
        Path linFile = dir.resolve("vgg_lin.safetensors");
        SafeTensors.write(vggFile, vgg, Map.of());
        SafeTensors.write(linFile, lin, Map.of());
        Lpips loaded = Lpips.load(vggFile, linFile);
        assertThat(loaded.parameters().flat()).isEqualTo(src.parameters().flat());
        assertThat(loaded.parameters().views()).containsKeys("net.slice1.0.weight", "net.slice2.7.bias",
                "net.slice5.28.weight", "lin4.model.1.weight");
    }
}
