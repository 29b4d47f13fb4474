package org.svgjava.core.nn;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.svgjava.core.testing.Allclose;
import org.svgjava.core.testing.GradientCheck;
import org.svgjava.core.testing.ModuleCheck;

class NormAndActivationTest {
    private static <M extends Module> M random(M m, long seed) {
        m.build(DataType.DOUBLE);
        Nd4j.getRandom().setSeed(seed);
        if (m.parameters().numel() > 0) {
            m.parameters().flat().assign(Nd4j.rand(DataType.DOUBLE, m.parameters().numel()).subi(0.5).muli(2));
        }
        return m;
    }

    @Test
    void layerNormIsTheTextbookFormula() {
        LayerNorm ln = random(new LayerNorm(6, 1e-5, true), 1);
        INDArray x = Nd4j.rand(DataType.DOUBLE, 2, 3, 6).muli(4);
        INDArray x2 = x.reshape(6, 6);
        INDArray mean = x2.mean(1).reshape(6, 1);
        INDArray var = x2.subColumnVector(mean).mul(x2.subColumnVector(mean)).mean(1).reshape(6, 1);
        INDArray expected = x2.subColumnVector(mean).diviColumnVector(Transforms.sqrt(var.add(1e-5)))
                .muliRowVector(ln.parameters().get("weight")).addiRowVector(ln.parameters().get("bias"));
        Allclose.assertRelClose("layerNorm", ln.forward(x), expected.reshape(2, 3, 6), 1e-12);
        GradientCheck.check(ModuleCheck.of(ln), x);
        LayerNorm plain = random(new LayerNorm(5, 1e-6, false), 2);
        GradientCheck.check(ModuleCheck.of(plain), Nd4j.rand(DataType.DOUBLE, 4, 5));
    }

    @Test
    void groupNormIsTheTextbookFormula() {
        GroupNorm gn = random(new GroupNorm(2, 4, 1e-6), 3);
        INDArray x = Nd4j.rand(DataType.DOUBLE, 2, 4, 3, 3).muli(3);
        INDArray g = x.reshape(2, 2, 18);
        INDArray mean = g.mean(2).reshape(2, 2, 1);
        INDArray centered = g.sub(Nd4j.tile(mean, 1, 1, 18));
        INDArray var = centered.mul(centered).mean(2).reshape(2, 2, 1);
        INDArray normed = centered.div(Nd4j.tile(Transforms.sqrt(var.add(1e-6)), 1, 1, 18)).reshape(2, 4, 9);
        INDArray w = gn.parameters().get("weight").reshape(1, 4, 1);
        INDArray b = gn.parameters().get("bias").reshape(1, 4, 1);
        INDArray expected = normed.mul(Nd4j.tile(w, 2, 1, 9)).add(Nd4j.tile(b, 2, 1, 9)).reshape(2, 4, 3, 3);
        Allclose.assertRelClose("groupNorm", gn.forward(x), expected, 1e-12);
        GradientCheck.check(ModuleCheck.of(gn), x);
    }

    @ParameterizedTest
    @EnumSource(Activation.Kind.class)
    void activations(Activation.Kind kind) {
        Activation a = random(new Activation(kind), 4);
        INDArray x = Nd4j.linspace(-4, 4, 33, DataType.DOUBLE).reshape(3, 11);
        double[] xs = x.reshape(33).toDoubleVector();
        double[] expected = new double[33];
        for (int i = 0; i < 33; i++) {
            double v = xs[i];
            expected[i] = switch (kind) {
                case GELU_TANH -> 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v * v * v)));
                case GELU_ERF -> 0.5 * v * (1 + erf(v / Math.sqrt(2)));
                case SILU -> v / (1 + Math.exp(-v));
            };
        }
        Allclose.assertRelClose(kind.name(), a.forward(x), Nd4j.create(expected, new long[] {3, 11}, 'c'), 1e-9);
        GradientCheck.check(ModuleCheck.of(a), x.add(0.013));
    }

    @Test
    void mlpAndSwiGlu() {
        GradientCheck.check(ModuleCheck.of(random(new Mlp(5, 7, 4, Activation.Kind.GELU_TANH), 5)),
                Nd4j.rand(DataType.DOUBLE, 2, 3, 5).subi(0.5));
        SwiGLU s = random(new SwiGLU(5, 6, 4), 6);
        INDArray x = Nd4j.rand(DataType.DOUBLE, 3, 5).subi(0.5);
        INDArray a = x.mmul(s.parameters().get("w1.weight").transpose()).addRowVector(s.parameters().get("w1.bias"));
        INDArray b = x.mmul(s.parameters().get("w2.weight").transpose()).addRowVector(s.parameters().get("w2.bias"));
        INDArray h = a.mul(Transforms.sigmoid(a)).mul(b);
        INDArray expected = h.mmul(s.parameters().get("w3.weight").transpose()).addRowVector(s.parameters().get("w3.bias"));
        Allclose.assertRelClose("swiglu", s.forward(x), expected, 1e-12);
        GradientCheck.check(ModuleCheck.of(s), x);
    }

    /** erf to double precision (Abramowitz-Stegun 7.1.26 is not enough): a series / continued fraction. */
    static double erf(double x) {
        double ax = Math.abs(x);
        double r;
        if (ax < 3) {
            double sum = ax;
            double term = ax;
            for (int n = 1; n < 200; n++) {
                term *= -ax * ax / n;
                double add = term / (2 * n + 1);
                sum += add;
                if (Math.abs(add) < 1e-17 * Math.abs(sum)) {
                    break;
                }
            }
            r = 2 / Math.sqrt(Math.PI) * sum;
        } else {
            double f = 0;
            for (int n = 60; n >= 1; n--) {
                f = n / 2.0 / (ax + f);
            }
            r = 1 - Math.exp(-ax * ax) / Math.sqrt(Math.PI) / (ax + f);
        }
        return x < 0 ? -r : r;
    }
}
