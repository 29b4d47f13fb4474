package org.svgjava.core.nn;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.svgjava.core.testing.Allclose;
import org.svgjava.core.testing.Differentiable;
import org.svgjava.core.testing.GradientCheck;

class AttentionTest {
    static final int D = 8;
    static final int H = 2;
    static final int DH = 4;

    /** Multi-head attention written out head by head with plain ND4J operations, in double. */
    static INDArray reference(Attention a, INDArray x, Attention.Rope rope, boolean qkNorm, boolean mask) {
        var p = a.parameters();
        long b = x.size(0), t = x.size(1);
        INDArray bias = p.get("qkv.bias").dup();
        if (mask) {
            bias.muli(p.get("qkv.bias_mask"));
        }
        INDArray out = Nd4j.zeros(DataType.DOUBLE, b, t, D);
        for (int n = 0; n < b; n++) {
            INDArray xn = x.slice(n);
            INDArray qkv = xn.mmul(p.get("qkv.weight").transpose()).addRowVector(bias);
            INDArray merged = Nd4j.zeros(DataType.DOUBLE, t, D);
            for (int h = 0; h < H; h++) {
                INDArray q = qkv.get(NDArrayIndex.all(), NDArrayIndex.interval(h * DH, (h + 1) * DH)).dup();
                INDArray k = qkv.get(NDArrayIndex.all(), NDArrayIndex.interval(D + h * DH, D + (h + 1) * DH)).dup();
                INDArray v = qkv.get(NDArrayIndex.all(), NDArrayIndex.interval(2 * D + h * DH, 2 * D + (h + 1) * DH)).dup();
                if (qkNorm) {
                    q = norm(q, p.get("q_norm.weight"), p.get("q_norm.bias"));
                    k = norm(k, p.get("k_norm.weight"), p.get("k_norm.bias"));
                }
                if (rope != null) {
                    q = rotate(q, rope);
                    k = rotate(k, rope);
                }
                INDArray s = q.mmul(k.transpose()).muli(1 / Math.sqrt(DH));
                INDArray e = Transforms.exp(s.subColumnVector(s.max(1).reshape(t, 1)));
                INDArray probs = e.divColumnVector(e.sum(1).reshape(t, 1));
                merged.get(NDArrayIndex.all(), NDArrayIndex.interval(h * DH, (h + 1) * DH)).assign(probs.mmul(v));
            }
            out.slice(n).assign(merged.mmul(p.get("proj.weight").transpose()).addRowVector(p.get("proj.bias")));
        }
        return out;
    }

    static INDArray norm(INDArray x, INDArray w, INDArray b) {
        INDArray mean = x.mean(1).reshape(x.size(0), 1);
        INDArray c = x.subColumnVector(mean);
        INDArray var = c.mul(c).mean(1).reshape(x.size(0), 1);
        return c.diviColumnVector(Transforms.sqrt(var.add(1e-5))).muliRowVector(w).addiRowVector(b);
    }

    /** x*cos + rotate_half(x)*sin for tokens after the prefix. */
    static INDArray rotate(INDArray x, Attention.Rope r) {
        INDArray y = x.dup();
        for (int t = r.prefix(); t < x.size(0); t++) {
            for (int i = 0; i < DH; i++) {
                double rot = i < DH / 2 ? -x.getDouble(t, i + DH / 2) : x.getDouble(t, i - DH / 2);
                y.putScalar(t, i, x.getDouble(t, i) * r.cos().getDouble(t - r.prefix(), i) + rot * r.sin().getDouble(t - r.prefix(), i));
            }
        }
        return y;
    }

    @ParameterizedTest
    @CsvSource({"false,false,false", "true,false,false", "false,true,true", "true,true,true"})
    void matchesHeadByHeadReferenceAndFiniteDifferences(boolean qkNorm, boolean useRope, boolean mask) {
        Attention a = new Attention(D, H, true, qkNorm, mask);
        a.build(DataType.DOUBLE);
        Nd4j.getRandom().setSeed(21);
        a.parameters().flat().assign(Nd4j.rand(DataType.DOUBLE, a.parameters().numel()).subi(0.5));
        if (mask) {
            a.parameters().get("qkv.bias_mask").assign(Nd4j.concat(0, Nd4j.ones(DataType.DOUBLE, D),
                    Nd4j.zeros(DataType.DOUBLE, D), Nd4j.ones(DataType.DOUBLE, D)));
        }
        int t = 5;
        int prefix = 2;
        Attention.Rope rope = null;
        if (useRope) {
            // rotate-half tables repeat the angles across the two halves of the head
            INDArray half = Nd4j.rand(DataType.DOUBLE, t - prefix, DH / 2).muli(6);
            INDArray angles = Nd4j.concat(1, half, half);
            rope = new Attention.Rope(Transforms.sin(angles), Transforms.cos(angles), prefix);
        }
        INDArray x = Nd4j.rand(DataType.DOUBLE, 2, t, D).subi(0.5).muli(2);
        final Attention.Rope r = rope;
        Allclose.assertRelClose("attention", a.forward(x, r), reference(a, x, r, qkNorm, mask), 1e-12);
        GradientCheck.check(new Differentiable() {
            @Override
            public INDArray forward(INDArray in) {
                return a.forward(in, r);
            }

            @Override
            public INDArray backward(INDArray dy) {
                return a.backward(dy);
            }

            @Override
            public java.util.Map<String, INDArray> parameters() {
                var m = new java.util.LinkedHashMap<>(a.parameters().views());
                m.remove("qkv.bias_mask"); // a fixed buffer, not a weight
                return m;
            }

            @Override
            public java.util.Map<String, INDArray> gradients() {
                return a.gradients().views();
            }
        }, x);
    }
}
