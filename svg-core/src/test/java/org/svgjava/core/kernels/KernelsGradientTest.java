package org.svgjava.core.kernels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.svgjava.core.kernels.KernelCases.rand;

import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.svgjava.core.testing.Differentiable;
import org.svgjava.core.testing.GradientCheck;

/** Every backward pass of both implementations against central differences of its forward pass, in DOUBLE. */
class KernelsGradientTest {
    private static final DataType D = DataType.DOUBLE;

    static Stream<Kernels> kernels() {
        return Stream.of(new CpuKernels(), new PortableKernels());
    }

    private static Random rnd() {
        return new Random(7);
    }

    /** Base for adapters: the forward input is kept for the backward pass. */
    private abstract static class Layer implements Differentiable {
        final Kernels k;
        INDArray x;

        Layer(Kernels k) {
            this.k = k;
        }
    }

    @ParameterizedTest
    @MethodSource("kernels")
    void layerNormWithAffine(Kernels k) {
        Random r = rnd();
        INDArray gamma = rand(D, r, 1, 37);
        INDArray beta = rand(D, r, 1, 37);
        INDArray dgamma = Nd4j.zeros(D, 37);
        INDArray dbeta = Nd4j.zeros(D, 37);
        Differentiable f = new Layer(k) {
            INDArray mean;
            INDArray rstd;

            @Override
            public INDArray forward(INDArray in) {
                x = in;
                mean = Nd4j.create(D, 13);
                rstd = Nd4j.create(D, 13);
                INDArray y = in.ulike();
                k.layerNorm(in, gamma, beta, 1e-5, y, mean, rstd);
                return y;
            }

            @Override
            public INDArray backward(INDArray dy) {
                INDArray dx = dy.ulike();
                k.layerNormBackward(dy, x, gamma, mean, rstd, dx, dgamma, dbeta);
                return dx;
            }

            @Override
            public Map<String, INDArray> parameters() {
                return Map.of("gamma", gamma, "beta", beta);
            }

            @Override
            public Map<String, INDArray> gradients() {
                return Map.of("gamma", dgamma, "beta", dbeta);
            }
        };
        GradientCheck.check(f, rand(D, r, 2, 13, 37).addi(0.5));
    }

    @ParameterizedTest
    @MethodSource("kernels")
    void layerNormWithoutAffine(Kernels k) {
        Differentiable f = new Layer(k) {
            INDArray mean;
            INDArray rstd;

            @Override
            public INDArray forward(INDArray in) {
                x = in;
                mean = Nd4j.create(D, 5);
                rstd = Nd4j.create(D, 5);
                INDArray y = in.ulike();
                k.layerNorm(in, null, null, 1e-5, y, mean, rstd);
                return y;
            }

            @Override
            public INDArray backward(INDArray dy) {
                INDArray dx = dy.ulike();
                k.layerNormBackward(dy, x, null, mean, rstd, dx, null, null);
                return dx;
            }
        };
        GradientCheck.check(f, rand(D, rnd(), 1, 5, 11));
    }

    @ParameterizedTest
    @MethodSource("kernels")
    void groupNorm(Kernels k) {
        Random r = rnd();
        int groups = 3;
        INDArray gamma = rand(D, r, 1, 6);
        INDArray beta = rand(D, r, 1, 6);
        INDArray dgamma = Nd4j.zeros(D, 6);
        INDArray dbeta = Nd4j.zeros(D, 6);
        Differentiable f = new Layer(k) {
            INDArray mean;
            INDArray rstd;

            @Override
            public INDArray forward(INDArray in) {
                x = in;
                mean = Nd4j.create(D, 2, groups);
                rstd = Nd4j.create(D, 2, groups);
                INDArray y = in.ulike();
                k.groupNorm(in, groups, gamma, beta, 1e-5, y, mean, rstd);
                return y;
            }

            @Override
            public INDArray backward(INDArray dy) {
                INDArray dx = dy.ulike();
                k.groupNormBackward(dy, x, groups, gamma, mean, rstd, dx, dgamma, dbeta);
                return dx;
            }

            @Override
            public Map<String, INDArray> parameters() {
                return Map.of("gamma", gamma, "beta", beta);
            }

            @Override
            public Map<String, INDArray> gradients() {
                return Map.of("gamma", dgamma, "beta", dbeta);
            }
        };
        GradientCheck.check(f, rand(D, r, 1, 2, 6, 3, 5).addi(0.3));
    }

    @ParameterizedTest
    @MethodSource("kernels")
    void softmax(Kernels k) {
        Differentiable f = new Layer(k) {
            INDArray y;

            @Override
            public INDArray forward(INDArray in) {
                y = in.ulike();
                k.softmax(in, y);
                return y;
            }

            @Override
            public INDArray backward(INDArray dy) {
                INDArray dx = dy.ulike();
                k.softmaxBackward(y, dy, dx);
                return dx;
            }
        };
        GradientCheck.check(f, rand(D, rnd(), 2, 7, 9));
    }

    /** Element-wise activations: 0 = tanh GELU, 1 = erf GELU, 2 = SiLU. */
    @ParameterizedTest
    @MethodSource("kernels")
    void activations(Kernels k) {
        for (int which = 0; which < 3; which++) {
            int fn = which;
            Differentiable f = new Layer(k) {
                @Override
                public INDArray forward(INDArray in) {
                    x = in;
                    INDArray y = in.ulike();
                    if (fn == 2) {
                        k.silu(in, y);
                    } else {
                        k.gelu(in, y, fn == 0);
                    }
                    return y;
                }

                @Override
                public INDArray backward(INDArray dy) {
                    INDArray dx = dy.ulike();
                    if (fn == 2) {
                        k.siluBackward(x, dy, dx);
                    } else {
                        k.geluBackward(x, dy, dx, fn == 0);
                    }
                    return dx;
                }
            };
            GradientCheck.check(f, rand(D, rnd(), 3, 9, 13));
        }
    }

    @ParameterizedTest
    @MethodSource("kernels")
    void modulate(Kernels k) {
        Random r = rnd();
        INDArray shift = rand(D, r, 0.5, 3, 7);
        INDArray scale = rand(D, r, 0.5, 3, 7);
        INDArray dshift = Nd4j.zeros(D, 3, 7);
        INDArray dscale = Nd4j.zeros(D, 3, 7);
        Differentiable f = new Layer(k) {
            @Override
            public INDArray forward(INDArray in) {
                x = in;
                INDArray y = in.ulike();
                k.modulate(in, shift, scale, y);
                return y;
            }

            @Override
            public INDArray backward(INDArray dy) {
                INDArray dx = dy.ulike();
                INDArray gs = dshift.ulike();
                INDArray gc = dscale.ulike();
                k.modulateBackward(dy, x, scale, dx, gs, gc);
                dshift.addi(gs);
                dscale.addi(gc);
                return dx;
            }

            @Override
            public Map<String, INDArray> parameters() {
                return Map.of("shift", shift, "scale", scale);
            }

            @Override
            public Map<String, INDArray> gradients() {
                return Map.of("shift", dshift, "scale", dscale);
            }
        };
        GradientCheck.check(f, rand(D, r, 1, 3, 5, 7));
    }

    @ParameterizedTest
    @MethodSource("kernels")
    void modulatedLayerNorm(Kernels k) {
        Random r = rnd();
        INDArray shift = rand(D, r, 0.5, 3, 7);
        INDArray scale = rand(D, r, 0.5, 3, 7);
        INDArray dshift = Nd4j.zeros(D, 3, 7);
        INDArray dscale = Nd4j.zeros(D, 3, 7);
        Differentiable f = new Layer(k) {
            INDArray mean;
            INDArray rstd;

            @Override
            public INDArray forward(INDArray in) {
                x = in;
                mean = Nd4j.create(D, 15);
                rstd = Nd4j.create(D, 15);
                INDArray y = in.ulike();
                k.modulatedLayerNorm(in, 1e-5, shift, scale, y, mean, rstd);
                return y;
            }

            @Override
            public INDArray backward(INDArray dy) {
                INDArray dx = dy.ulike();
                INDArray gs = dshift.ulike();
                INDArray gc = dscale.ulike();
                k.modulatedLayerNormBackward(dy, x, mean, rstd, scale, null, dx, gs, gc);
                dshift.addi(gs);
                dscale.addi(gc);
                return dx;
            }

            @Override
            public Map<String, INDArray> parameters() {
                return Map.of("shift", shift, "scale", scale);
            }

            @Override
            public Map<String, INDArray> gradients() {
                return Map.of("shift", dshift, "scale", dscale);
            }
        };
        GradientCheck.check(f, rand(D, r, 1, 3, 5, 7));
    }

    @ParameterizedTest
    @MethodSource("kernels")
    void splitHeadsWithQkNorm(Kernels k) {
        Random r = rnd();
        long b = 2;
        long t = 3;
        long h = 2;
        long dh = 4;
        INDArray[] params = {rand(D, r, 1, dh), rand(D, r, 1, dh), rand(D, r, 1, dh), rand(D, r, 1, dh)};
        INDArray[] grads = {Nd4j.zeros(D, dh), Nd4j.zeros(D, dh), Nd4j.zeros(D, dh), Nd4j.zeros(D, dh)};
        String[] names = {"qGamma", "qBeta", "kGamma", "kBeta"};
        Differentiable f = new Layer(k) {
            final INDArray stats = Nd4j.create(D, 4, b * h * t);

            @Override
            public INDArray forward(INDArray in) {
                x = in;
                INDArray qkv = Nd4j.create(D, 3, b, h, t, dh);
                k.splitHeads(in, 1e-5, params[0], params[1], params[2], params[3], qkv.slice(0), qkv.slice(1),
                        qkv.slice(2), stats);
                return qkv;
            }

            @Override
            public INDArray backward(INDArray dy) {
                INDArray dx = x.ulike();
                INDArray d = dy.dup('c');
                k.splitHeadsBackward(d.slice(0), d.slice(1), d.slice(2), x, params[0], params[2], stats, dx,
                        grads[0], grads[1], grads[2], grads[3]);
                return dx;
            }

            @Override
            public Map<String, INDArray> parameters() {
                return Map.of(names[0], params[0], names[1], params[1], names[2], params[2], names[3], params[3]);
            }

            @Override
            public Map<String, INDArray> gradients() {
                return Map.of(names[0], grads[0], names[1], grads[1], names[2], grads[2], names[3], grads[3]);
            }
        };
        // one input element of the 144 has a gradient of 2e-4, where the central difference is good to about 1e-9
        GradientCheck.check(f, rand(D, r, 1, b, t, 3 * h * dh), GradientCheck.Options.defaults().withMinAbsError(1e-8));
    }

    @ParameterizedTest
    @MethodSource("kernels")
    void gatedResidual(Kernels k) {
        Random r = rnd();
        INDArray x0 = rand(D, r, 1, 2, 5, 7);
        INDArray gate = rand(D, r, 0.5, 2, 7);
        INDArray dgate = Nd4j.zeros(D, 2, 7);
        Differentiable f = new Layer(k) {
            @Override
            public INDArray forward(INDArray h) {
                x = h;
                INDArray out = h.ulike();
                k.gatedResidual(x0, h, gate, out);
                return out;
            }

            @Override
            public INDArray backward(INDArray dout) {
                INDArray dh = dout.ulike();
                INDArray dg = dgate.ulike();
                k.gatedResidualBackward(dout, x, gate, dh, dg);
                dgate.addi(dg);
                return dh;
            }

            @Override
            public Map<String, INDArray> parameters() {
                return Map.of("gate", gate);
            }

            @Override
            public Map<String, INDArray> gradients() {
                return Map.of("gate", dgate);
            }
        };
        GradientCheck.check(f, rand(D, r, 1, 2, 5, 7));
    }

    @ParameterizedTest
    @MethodSource("kernels")
    void ropeBackwardIsTheInverseRotation(Kernels k) {
        Random r = rnd();
        INDArray[] table = KernelCases.ropeTables(D, r, 5, 8);
        INDArray sin = table[0];
        INDArray cos = table[1];
        Differentiable f = new Layer(k) {
            @Override
            public INDArray forward(INDArray in) {
                INDArray y = in.ulike();
                k.rope(in, sin, cos, 2, false, y);
                return y;
            }

            @Override
            public INDArray backward(INDArray dy) {
                INDArray dx = dy.ulike();
                k.rope(dy, sin, cos, 2, true, dx);
                return dx;
            }
        };
        GradientCheck.check(f, rand(D, r, 1, 3, 7, 8));
    }

    @ParameterizedTest
    @MethodSource("kernels")
    void ropeInverseIsTheExactAdjoint(Kernels k) {
        for (DataType t : new DataType[] {DataType.DOUBLE, DataType.FLOAT}) {
            Random r = rnd();
            INDArray[] table = KernelCases.ropeTables(t, r, 12, 16);
            INDArray sin = table[0];
            INDArray cos = table[1];
            INDArray x = rand(t, r, 1, 4, 13, 16);
            INDArray y = rand(t, r, 1, 4, 13, 16);
            INDArray rx = x.ulike();
            INDArray ry = y.ulike();
            k.rope(x, sin, cos, 1, false, rx);
            k.rope(y, sin, cos, 1, true, ry);
            double lhs = rx.castTo(DataType.DOUBLE).mul(y.castTo(DataType.DOUBLE)).sumNumber().doubleValue();
            double rhs = x.castTo(DataType.DOUBLE).mul(ry.castTo(DataType.DOUBLE)).sumNumber().doubleValue();
            double scale = Math.sqrt(x.length());
            assertThat(Math.abs(lhs - rhs) / scale).as(t + " <rope(x), y> vs <x, rope^-1(y)>")
                    .isLessThan(t == DataType.DOUBLE ? 1e-13 : 1e-5);
            // and rope^-1(rope(x)) == x for a true rotation (sin^2 + cos^2 = 1)
            INDArray back = x.ulike();
            k.rope(rx, sin, cos, 1, true, back);
            org.svgjava.core.testing.Allclose.assertRelClose(t + " round trip", back, x,
                    t == DataType.DOUBLE ? 1e-14 : 1e-6);
        }
    }

    @ParameterizedTest
    @MethodSource("kernels")
    void attention(Kernels k) {
        Random r = rnd();
        long bh = 2;
        long t = 5;
        long dh = 4;
        double scale = 1 / Math.sqrt(dh);
        INDArray key = rand(D, r, 1, bh, t, dh);
        INDArray value = rand(D, r, 1, bh, t, dh);
        INDArray dkey = Nd4j.zeros(D, bh, t, dh);
        INDArray dvalue = Nd4j.zeros(D, bh, t, dh);
        Differentiable f = new Layer(k) {
            INDArray probs;

            @Override
            public INDArray forward(INDArray q) {
                x = q;
                probs = Nd4j.create(D, bh, t, t);
                INDArray out = q.ulike();
                k.attention(q, key, value, scale, probs, out);
                return out;
            }

            @Override
            public INDArray backward(INDArray dout) {
                INDArray dq = dout.ulike();
                INDArray dk = dkey.ulike();
                INDArray dv = dvalue.ulike();
                k.attentionBackward(x, key, value, probs, scale, dout, dq, dk, dv);
                dkey.addi(dk);
                dvalue.addi(dv);
                return dq;
            }

            @Override
            public Map<String, INDArray> parameters() {
                return Map.of("k", key, "v", value);
            }

            @Override
            public Map<String, INDArray> gradients() {
                return Map.of("k", dkey, "v", dvalue);
            }
        };
        GradientCheck.check(f, rand(D, r, 1, bh, t, dh));
    }
}
