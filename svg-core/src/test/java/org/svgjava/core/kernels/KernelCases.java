package org.svgjava.core.kernels;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * One scenario per kernel method: random inputs of a data type and size, and a run that calls a {@link Kernels}
 * into fresh outputs and returns them by name. Small sizes are odd (13 rows of 37); large ones exceed the
 * multi-threading threshold.
 */
final class KernelCases {
    /** A kernel scenario. */
    interface Case {
        String name();

        Map<String, INDArray> inputs(DataType type, boolean large, Random rnd);

        Map<String, INDArray> run(Kernels k, Map<String, INDArray> in);
    }

    private KernelCases() {
    }

    static INDArray rand(DataType type, Random rnd, double scale, long... shape) {
        long n = 1;
        for (long s : shape) {
            n *= s;
        }
        double[] v = new double[(int) n];
        for (int i = 0; i < v.length; i++) {
            v[i] = rnd.nextGaussian() * scale;
        }
        return Nd4j.createFromArray(v).reshape('c', shape).castTo(type);
    }

    static Map<String, INDArray> map(Object... kv) {
        Map<String, INDArray> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], (INDArray) kv[i + 1]);
        }
        return m;
    }

    /** Filled with garbage, to show that an output is overwritten. */
    static INDArray garbage(INDArray like) {
        return like.ulike().assign(12345.0);
    }

    private static final double EPS = 1e-5;
    private static final ReferenceKernels REF = new ReferenceKernels();

    private record Simple(String name, Inputs in, Runner runner) implements Case {
        @Override
        public Map<String, INDArray> inputs(DataType type, boolean large, Random rnd) {
            return in.make(type, large, rnd);
        }

        @Override
        public Map<String, INDArray> run(Kernels k, Map<String, INDArray> inputs) {
            return runner.run(k, inputs);
        }

        @Override
        public String toString() {
            return name;
        }
    }

    @FunctionalInterface
    private interface Inputs {
        Map<String, INDArray> make(DataType type, boolean large, Random rnd);
    }

    @FunctionalInterface
    private interface Runner {
        Map<String, INDArray> run(Kernels k, Map<String, INDArray> in);
    }

    private static long[] rowsShape(boolean large) {
        return large ? new long[] {8, 256, 384} : new long[] {13, 37};
    }

    private static Map<String, INDArray> layerNormInputs(DataType t, boolean large, Random rnd, boolean affine) {
        long[] shape = rowsShape(large);
        long d = shape[shape.length - 1];
        INDArray x = rand(t, rnd, 2, shape).addi(0.7);
        INDArray gamma = affine ? rand(t, rnd, 1, d) : null;
        INDArray beta = affine ? rand(t, rnd, 1, d) : null;
        long n = x.length() / d;
        INDArray mean = Nd4j.create(t, n);
        INDArray rstd = Nd4j.create(t, n);
        REF.layerNorm(x, gamma, beta, EPS, x.ulike(), mean, rstd);
        return map("x", x, "gamma", gamma, "beta", beta, "mean", mean, "rstd", rstd, "dy", rand(t, rnd, 1, shape),
                "dgamma0", affine ? rand(t, rnd, 1, d) : null, "dbeta0", affine ? rand(t, rnd, 1, d) : null);
    }

    private static Map<String, INDArray> groupNormInputs(DataType t, boolean large, Random rnd, boolean affine) {
        long[] shape = large ? new long[] {2, 64, 32, 32} : new long[] {3, 12, 37};
        int groups = large ? 8 : 4;
        long c = shape[1];
        INDArray x = rand(t, rnd, 1.5, shape).addi(-0.3);
        INDArray gamma = affine ? rand(t, rnd, 1, c) : null;
        INDArray beta = affine ? rand(t, rnd, 1, c) : null;
        INDArray mean = Nd4j.create(t, shape[0], groups);
        INDArray rstd = Nd4j.create(t, shape[0], groups);
        REF.groupNorm(x, groups, gamma, beta, EPS, x.ulike(), mean, rstd);
        return map("x", x, "gamma", gamma, "beta", beta, "mean", mean, "rstd", rstd, "dy", rand(t, rnd, 1, shape),
                "groups", Nd4j.scalar(groups), "dgamma0", affine ? rand(t, rnd, 1, c) : null,
                "dbeta0", affine ? rand(t, rnd, 1, c) : null);
    }

    private static INDArray dupOrNull(INDArray a) {
        return a == null ? null : a.dup();
    }

    private static Map<String, INDArray> activationInputs(DataType t, boolean large, Random rnd) {
        long[] shape = large ? new long[] {2048, 384} : new long[] {13, 37};
        // wide enough to reach the tails (|x| > 10) of every function
        INDArray x = rand(t, rnd, 4, shape);
        x.putScalar(0, -30.0);
        x.putScalar(1, 30.0);
        x.putScalar(2, 0.0);
        return map("x", x, "dy", rand(t, rnd, 1, shape));
    }

    /**
     * The sums start from earlier values, which the kernel must add to. They are compared as means over the rows:
     * float erf-GELU derivatives carry errors of one sign, which over 2048 rows sum past the element-wise atol
     * where a column's sum cancels to near 0, while one row missed or counted twice still moves a mean by ~1/2048.
     */
    private static Map<String, INDArray> geluBackwardColumnSums(Kernels k, Map<String, INDArray> in, boolean tanh) {
        INDArray x = in.get("x");
        INDArray dx = garbage(x);
        INDArray start = Nd4j.linspace(-1, 1, x.size(-1), x.dataType());
        INDArray sums = start.dup();
        k.geluBackward(x, in.get("dy"), dx, tanh, sums);
        return map("dx", dx, "columnMeans", sums.sub(start).divi(x.length() / x.size(-1)));
    }

    private static Map<String, INDArray> softmaxInputs(DataType t, boolean large, Random rnd) {
        long[] shape = large ? new long[] {2048, 384} : new long[] {13, 37};
        INDArray x = rand(t, rnd, 3, shape);
        INDArray y = x.ulike();
        REF.softmax(x, y);
        return map("x", x, "y", y, "dy", rand(t, rnd, 1, shape));
    }

    private static Map<String, INDArray> adaLnInputs(DataType t, boolean large, Random rnd) {
        long b = large ? 8 : 3;
        long tok = large ? 256 : 13;
        long d = large ? 384 : 37;
        return map("x", rand(t, rnd, 1, b, tok, d), "h", rand(t, rnd, 1, b, tok, d), "dy", rand(t, rnd, 1, b, tok, d),
                "shift", rand(t, rnd, 0.5, b, d), "scale", rand(t, rnd, 0.5, b, d), "gate", rand(t, rnd, 0.5, b, d));
    }

    private static Map<String, INDArray> ropeInputs(DataType t, boolean large, Random rnd) {
        long bh = large ? 48 : 6;
        long tok = large ? 256 : 13;
        long dh = large ? 64 : 16;
        int prefix = large ? 1 : 3;
        INDArray[] table = ropeTables(t, rnd, tok - prefix, dh);
        return map("x", rand(t, rnd, 1, bh, tok, dh), "sin", table[0], "cos", table[1], "prefix", Nd4j.scalar(prefix));
    }

    /**
     * {sin, cos} of random angles repeated over the two halves of dh, as real RoPE tables are (DINOv3 tiles its
     * angles): only then is each pair (j, j + dh/2) a rotation and negating sin its inverse and adjoint.
     */
    static INDArray[] ropeTables(DataType t, Random rnd, long rows, long dh) {
        INDArray half = rand(DataType.DOUBLE, rnd, 3, rows, dh / 2);
        INDArray angles = Nd4j.concat(1, half, half);
        return new INDArray[] {org.nd4j.linalg.ops.transforms.Transforms.sin(angles, true).castTo(t),
                org.nd4j.linalg.ops.transforms.Transforms.cos(angles, true).castTo(t)};
    }

    /** adaLN inputs plus the row statistics of x and a residual gradient. */
    private static Map<String, INDArray> modulatedNormInputs(DataType t, boolean large, Random rnd) {
        Map<String, INDArray> in = adaLnInputs(t, large, rnd);
        INDArray x = in.get("x");
        long rows = x.length() / x.size(-1);
        INDArray mean = Nd4j.create(t, rows);
        INDArray rstd = Nd4j.create(t, rows);
        REF.modulatedLayerNorm(x, EPS, in.get("shift"), in.get("scale"), x.ulike(), mean, rstd);
        in.put("mean", mean);
        in.put("rstd", rstd);
        in.put("residual", rand(t, rnd, 1, x.shape()));
        return in;
    }

    /**
     * x [N, in], w [out, in], b, dy, and the starting values of the accumulated dw and db. The large case has
     * more outputs than one column block of the bias-gradient kernel, and not a multiple of it.
     */
    private static Map<String, INDArray> linearInputs(DataType t, boolean large, Random rnd) {
        long n = large ? 600 : 13;
        long in = large ? 96 : 7;
        long out = large ? 200 : 5;
        return map("x", rand(t, rnd, 0.5, n, in), "w", rand(t, rnd, 0.5, out, in), "b", rand(t, rnd, 1, out),
                "dy", rand(t, rnd, 0.5, n, out), "dw0", rand(t, rnd, 1, out, in), "db0", rand(t, rnd, 1, out));
    }

    /** A qkv projection [B, T, 3*H*dh] with QK-norm parameters, the forward's stats, and head-major gradients. */
    private static Map<String, INDArray> headInputs(DataType t, boolean large, Random rnd) {
        long b = large ? 4 : 2;
        long tok = large ? 64 : 5;
        long h = large ? 6 : 3;
        long dh = large ? 64 : 8;
        Map<String, INDArray> in = map("x", rand(t, rnd, 1, b, tok, 3 * h * dh),
                "qGamma", rand(t, rnd, 1, dh), "qBeta", rand(t, rnd, 1, dh),
                "kGamma", rand(t, rnd, 1, dh), "kBeta", rand(t, rnd, 1, dh),
                "dq", rand(t, rnd, 1, b, h, tok, dh), "dk", rand(t, rnd, 1, b, h, tok, dh),
                "dv", rand(t, rnd, 1, b, h, tok, dh),
                "dGamma0", rand(t, rnd, 1, dh), "dBeta0", rand(t, rnd, 1, dh));
        INDArray stats = Nd4j.create(t, 4, b * h * tok);
        INDArray q = in.get("dq").ulike();
        REF.splitHeads(in.get("x"), EPS, in.get("qGamma"), in.get("qBeta"), in.get("kGamma"), in.get("kBeta"), q,
                q.ulike(), q.ulike(), stats);
        in.put("stats", stats);
        return in;
    }

    /** headInputs plus the q, k, v, probs of attention over that split, and a token-major output gradient. */
    static Map<String, INDArray> splitAttentionInputs(DataType t, boolean large, Random rnd) {
        Map<String, INDArray> in = headInputs(t, large, rnd);
        INDArray d = in.get("dq");
        long b = d.size(0);
        long h = d.size(1);
        long tok = d.size(2);
        long dh = d.size(3);
        INDArray q = d.ulike();
        INDArray k = d.ulike();
        INDArray v = d.ulike();
        REF.splitHeads(in.get("x"), EPS, in.get("qGamma"), in.get("qBeta"), in.get("kGamma"), in.get("kBeta"), q, k,
                v, Nd4j.create(t, 4, b * h * tok));
        INDArray probs = Nd4j.create(t, b * h, tok, tok);
        double scale = 1 / Math.sqrt(dh);
        REF.attention(q.reshape('c', b * h, tok, dh), k.reshape('c', b * h, tok, dh), v.reshape('c', b * h, tok, dh),
                scale, probs, Nd4j.create(t, b, tok, h * dh));
        in.putAll(map("q", q, "k", k, "v", v, "probs", probs, "dout", rand(t, rnd, 1, b, tok, h * dh),
                "scale", Nd4j.scalar(scale)));
        return in;
    }

    /** Work arrays filled with garbage: a kernel must overwrite what it uses. */
    static final WorkArrays GARBAGE = (key, type, shape) -> garbage(Nd4j.create(type, shape));

    static Map<String, INDArray> attentionAndSplitBackward(Kernels k, Map<String, INDArray> in, boolean norm,
                                                          WorkArrays work) {
        INDArray dx = garbage(in.get("x"));
        INDArray[] grads = new INDArray[4];
        if (norm) {
            for (int i = 0; i < 4; i++) {
                grads[i] = in.get(i % 2 == 0 ? "dGamma0" : "dBeta0").dup();
            }
        }
        k.attentionAndSplitBackward(in.get("q"), in.get("k"), in.get("v"), in.get("probs"),
                in.get("scale").getDouble(0), in.get("dout"), in.get("x"), norm ? in.get("qGamma") : null,
                norm ? in.get("kGamma") : null, norm ? in.get("stats") : null, dx, grads, work);
        return map("dx", dx, "dqGamma", grads[0], "dqBeta", grads[1], "dkGamma", grads[2], "dkBeta", grads[3]);
    }

    /**
     * Cross-attention (13 queries, 17 keys, value width 12 != 8) to catch mixed-up sizes; the large case's 250 keys
     * do not fill the CPU softmax's last wide row (four keys of 256 queries each).
     */
    private static Map<String, INDArray> attentionInputs(DataType t, boolean large, Random rnd) {
        long bh = large ? 12 : 3;
        long tq = large ? 256 : 13;
        long tk = large ? 250 : 17;
        long dh = large ? 64 : 8;
        long dv = large ? 64 : 12;
        INDArray q = rand(t, rnd, 1, bh, tq, dh);
        INDArray k = rand(t, rnd, 1, bh, tk, dh);
        INDArray v = rand(t, rnd, 1, bh, tk, dv);
        double scale = 1 / Math.sqrt(dh);
        INDArray probs = Nd4j.create(t, bh, tk, tq);
        REF.attention(q, k, v, scale, probs, Nd4j.create(t, bh, tq, dv));
        return map("q", q, "k", k, "v", v, "probs", probs, "dout", rand(t, rnd, 1, bh, tq, dv),
                "scale", Nd4j.scalar(scale));
    }

    static List<Case> all() {
        return List.of(
                new Simple("layerNorm", (t, l, r) -> layerNormInputs(t, l, r, true), (k, in) -> {
                    INDArray x = in.get("x");
                    long n = x.length() / x.size(-1);
                    INDArray y = garbage(x);
                    INDArray mean = Nd4j.create(x.dataType(), n);
                    INDArray rstd = Nd4j.create(x.dataType(), n);
                    k.layerNorm(x, in.get("gamma"), in.get("beta"), EPS, y, mean, rstd);
                    return map("y", y, "mean", mean, "rstd", rstd);
                }),
                new Simple("layerNormNoAffine", (t, l, r) -> layerNormInputs(t, l, r, false), (k, in) -> {
                    INDArray y = garbage(in.get("x"));
                    k.layerNorm(in.get("x"), null, null, EPS, y, null, null);
                    return map("y", y);
                }),
                new Simple("layerNormBackward", (t, l, r) -> layerNormInputs(t, l, r, true), (k, in) -> {
                    INDArray dx = garbage(in.get("x"));
                    INDArray dgamma = in.get("dgamma0").dup();
                    INDArray dbeta = in.get("dbeta0").dup();
                    k.layerNormBackward(in.get("dy"), in.get("x"), in.get("gamma"), in.get("mean"), in.get("rstd"), dx,
                            dgamma, dbeta);
                    return map("dx", dx, "dgamma", dgamma, "dbeta", dbeta);
                }),
                new Simple("layerNormBackwardNoAffine", (t, l, r) -> layerNormInputs(t, l, r, false), (k, in) -> {
                    INDArray dx = garbage(in.get("x"));
                    k.layerNormBackward(in.get("dy"), in.get("x"), null, in.get("mean"), in.get("rstd"), dx, null, null);
                    return map("dx", dx);
                }),
                new Simple("groupNorm", (t, l, r) -> groupNormInputs(t, l, r, true), (k, in) -> {
                    INDArray x = in.get("x");
                    int groups = in.get("groups").getInt(0);
                    INDArray y = garbage(x);
                    INDArray mean = Nd4j.create(x.dataType(), x.size(0), groups);
                    INDArray rstd = Nd4j.create(x.dataType(), x.size(0), groups);
                    k.groupNorm(x, groups, in.get("gamma"), in.get("beta"), EPS, y, mean, rstd);
                    return map("y", y, "mean", mean, "rstd", rstd);
                }),
                new Simple("groupNormNoAffine", (t, l, r) -> groupNormInputs(t, l, r, false), (k, in) -> {
                    INDArray y = garbage(in.get("x"));
                    k.groupNorm(in.get("x"), in.get("groups").getInt(0), null, null, EPS, y, null, null);
                    return map("y", y);
                }),
                new Simple("groupNormBackward", (t, l, r) -> groupNormInputs(t, l, r, true), (k, in) -> {
                    INDArray dx = garbage(in.get("x"));
                    INDArray dgamma = dupOrNull(in.get("dgamma0"));
                    INDArray dbeta = dupOrNull(in.get("dbeta0"));
                    k.groupNormBackward(in.get("dy"), in.get("x"), in.get("groups").getInt(0), in.get("gamma"),
                            in.get("mean"), in.get("rstd"), dx, dgamma, dbeta);
                    return map("dx", dx, "dgamma", dgamma, "dbeta", dbeta);
                }),
                new Simple("softmax", KernelCases::softmaxInputs, (k, in) -> {
                    INDArray y = garbage(in.get("x"));
                    k.softmax(in.get("x"), y);
                    return map("y", y);
                }),
                new Simple("softmaxBackward", KernelCases::softmaxInputs, (k, in) -> {
                    INDArray dx = garbage(in.get("x"));
                    k.softmaxBackward(in.get("y"), in.get("dy"), dx);
                    return map("dx", dx);
                }),
                new Simple("geluTanh", KernelCases::activationInputs, (k, in) -> {
                    INDArray y = garbage(in.get("x"));
                    k.gelu(in.get("x"), y, true);
                    return map("y", y);
                }),
                new Simple("geluErf", KernelCases::activationInputs, (k, in) -> {
                    INDArray y = garbage(in.get("x"));
                    k.gelu(in.get("x"), y, false);
                    return map("y", y);
                }),
                new Simple("geluTanhBackward", KernelCases::activationInputs, (k, in) -> {
                    INDArray dx = garbage(in.get("x"));
                    k.geluBackward(in.get("x"), in.get("dy"), dx, true);
                    return map("dx", dx);
                }),
                new Simple("geluErfBackward", KernelCases::activationInputs, (k, in) -> {
                    INDArray dx = garbage(in.get("x"));
                    k.geluBackward(in.get("x"), in.get("dy"), dx, false);
                    return map("dx", dx);
                }),
                new Simple("geluTanhBackwardColumnSums", KernelCases::activationInputs,
                        (k, in) -> geluBackwardColumnSums(k, in, true)),
                new Simple("geluErfBackwardColumnSums", KernelCases::activationInputs,
                        (k, in) -> geluBackwardColumnSums(k, in, false)),
                new Simple("silu", KernelCases::activationInputs, (k, in) -> {
                    INDArray y = garbage(in.get("x"));
                    k.silu(in.get("x"), y);
                    return map("y", y);
                }),
                new Simple("siluBackward", KernelCases::activationInputs, (k, in) -> {
                    INDArray dx = garbage(in.get("x"));
                    k.siluBackward(in.get("x"), in.get("dy"), dx);
                    return map("dx", dx);
                }),
                new Simple("modulate", KernelCases::adaLnInputs, (k, in) -> {
                    INDArray y = garbage(in.get("x"));
                    k.modulate(in.get("x"), in.get("shift"), in.get("scale"), y);
                    return map("y", y);
                }),
                new Simple("modulateBackward", KernelCases::adaLnInputs, (k, in) -> {
                    INDArray dx = garbage(in.get("x"));
                    INDArray dshift = garbage(in.get("shift"));
                    INDArray dscale = garbage(in.get("scale"));
                    k.modulateBackward(in.get("dy"), in.get("x"), in.get("scale"), dx, dshift, dscale);
                    return map("dx", dx, "dshift", dshift, "dscale", dscale);
                }),
                new Simple("squaredError", KernelCases::adaLnInputs, (k, in) -> {
                    INDArray dOut = garbage(in.get("x"));
                    double sum = k.squaredError(in.get("x"), in.get("h"), 0.37, dOut);
                    return map("dOut", dOut, "sum", Nd4j.scalar(in.get("x").dataType(), sum));
                }),
                new Simple("squaredErrorColumnBlocks", KernelCases::adaLnInputs, (k, in) -> {
                    // the velocity half of a learn_sigma output: [rows, C] blocks of [rows, 2C] matrices
                    INDArray x = in.get("x");
                    long c = x.size(-1);
                    long rows = x.length() / c;
                    INDArray wide = Nd4j.concat(1, x.reshape('c', rows, c), in.get("h").reshape('c', rows, c));
                    INDArray dWide = garbage(wide);
                    INDArray dOut = dWide.get(NDArrayIndex.all(), NDArrayIndex.interval(0, c));
                    double sum = k.squaredError(wide.get(NDArrayIndex.all(), NDArrayIndex.interval(0, c)),
                            in.get("h").reshape('c', rows, c), 0.37, dOut);
                    return map("dOut", dOut.dup(), "otherHalf", dWide.get(NDArrayIndex.all(),
                            NDArrayIndex.interval(c, 2 * c)).dup(), "sum", Nd4j.scalar(x.dataType(), sum));
                }),
                new Simple("zero", KernelCases::adaLnInputs, (k, in) -> {
                    INDArray a = in.get("x").dup();
                    k.zero(a);
                    return map("a", a);
                }),
                new Simple("addTo", KernelCases::adaLnInputs, (k, in) -> {
                    INDArray acc = in.get("x").dup();
                    k.addTo(acc, in.get("h"));
                    return map("acc", acc);
                }),
                new Simple("swapLeadingAxes", KernelCases::adaLnInputs, (k, in) -> {
                    INDArray x = in.get("x");
                    INDArray dst = garbage(Nd4j.create(x.dataType(), x.size(1), x.size(0), x.size(2)));
                    k.swapLeadingAxes(x, dst);
                    return map("dst", dst);
                }),
                new Simple("gatedResidual", KernelCases::adaLnInputs, (k, in) -> {
                    INDArray out = garbage(in.get("x"));
                    k.gatedResidual(in.get("x"), in.get("h"), in.get("gate"), out);
                    return map("out", out);
                }),
                new Simple("gatedResidualBackward", KernelCases::adaLnInputs, (k, in) -> {
                    INDArray dh = garbage(in.get("x"));
                    INDArray dgate = garbage(in.get("gate"));
                    k.gatedResidualBackward(in.get("dy"), in.get("h"), in.get("gate"), dh, dgate);
                    return map("dh", dh, "dgate", dgate);
                }),
                new Simple("rope", KernelCases::ropeInputs, (k, in) -> {
                    INDArray y = garbage(in.get("x"));
                    k.rope(in.get("x"), in.get("sin"), in.get("cos"), in.get("prefix").getInt(0), false, y);
                    return map("y", y);
                }),
                new Simple("ropeInverse", KernelCases::ropeInputs, (k, in) -> {
                    INDArray y = garbage(in.get("x"));
                    k.rope(in.get("x"), in.get("sin"), in.get("cos"), in.get("prefix").getInt(0), true, y);
                    return map("y", y);
                }),
                new Simple("modulatedLayerNorm", KernelCases::modulatedNormInputs, (k, in) -> {
                    INDArray y = garbage(in.get("x"));
                    INDArray mean = garbage(in.get("mean"));
                    INDArray rstd = garbage(in.get("rstd"));
                    k.modulatedLayerNorm(in.get("x"), EPS, in.get("shift"), in.get("scale"), y, mean, rstd);
                    return map("y", y, "mean", mean, "rstd", rstd);
                }),
                new Simple("gatedResidualModulatedLayerNorm", KernelCases::adaLnInputs, (k, in) -> {
                    INDArray x = in.get("x");
                    INDArray out = garbage(x);
                    INDArray y = garbage(x);
                    long rows = x.length() / x.size(-1);
                    INDArray mean = Nd4j.create(x.dataType(), rows).assign(7);
                    INDArray rstd = Nd4j.create(x.dataType(), rows).assign(7);
                    k.gatedResidualModulatedLayerNorm(x, in.get("h"), in.get("gate"), out, EPS, in.get("shift"),
                            in.get("scale"), y, mean, rstd);
                    return map("out", out, "y", y, "mean", mean, "rstd", rstd);
                }),
                new Simple("gatedResidualModulatedLayerNormBackward", KernelCases::modulatedNormInputs, (k, in) -> {
                    INDArray dx = garbage(in.get("x"));
                    INDArray dshift = garbage(in.get("shift"));
                    INDArray dscale = garbage(in.get("scale"));
                    INDArray dh = garbage(in.get("x"));
                    INDArray dgate = garbage(in.get("gate"));
                    k.gatedResidualModulatedLayerNormBackward(in.get("dy"), in.get("x"), in.get("mean"),
                            in.get("rstd"), in.get("scale"), in.get("residual"), dx, dshift, dscale, in.get("h"),
                            in.get("gate"), dh, dgate);
                    return map("dx", dx, "dshift", dshift, "dscale", dscale, "dh", dh, "dgate", dgate);
                }),
                new Simple("modulatedLayerNormBackward", KernelCases::modulatedNormInputs, (k, in) -> {
                    INDArray dx = garbage(in.get("x"));
                    INDArray dshift = garbage(in.get("shift"));
                    INDArray dscale = garbage(in.get("scale"));
                    k.modulatedLayerNormBackward(in.get("dy"), in.get("x"), in.get("mean"), in.get("rstd"),
                            in.get("scale"), in.get("residual"), dx, dshift, dscale);
                    return map("dx", dx, "dshift", dshift, "dscale", dscale);
                }),
                new Simple("modulatedLayerNormBackwardInPlace", KernelCases::modulatedNormInputs, (k, in) -> {
                    INDArray dx = in.get("residual").dup();
                    k.modulatedLayerNormBackward(in.get("dy"), in.get("x"), in.get("mean"), in.get("rstd"),
                            in.get("scale"), dx, dx, null, null);
                    return map("dx", dx);
                }),
                new Simple("linear", KernelCases::linearInputs, (k, in) -> {
                    INDArray y = garbage(in.get("dy"));
                    k.linear(in.get("x"), in.get("w"), in.get("b"), y);
                    return map("y", y);
                }),
                new Simple("linearNoBias", KernelCases::linearInputs, (k, in) -> {
                    INDArray y = garbage(in.get("dy"));
                    k.linear(in.get("x"), in.get("w"), null, y);
                    return map("y", y);
                }),
                new Simple("linearBackward", KernelCases::linearInputs, (k, in) -> {
                    INDArray dx = garbage(in.get("x"));
                    INDArray dw = in.get("dw0").dup();
                    INDArray db = in.get("db0").dup();
                    k.linearBackward(in.get("dy"), in.get("x"), in.get("w"), dx, dw, db);
                    return map("dx", dx, "dw", dw, "db", db);
                }),
                new Simple("linearBackwardFrozen", KernelCases::linearInputs, (k, in) -> {
                    INDArray dx = garbage(in.get("x"));
                    k.linearBackward(in.get("dy"), in.get("x"), in.get("w"), dx, null, null);
                    return map("dx", dx);
                }),
                new Simple("linearBackwardFirstLayer", KernelCases::linearInputs, (k, in) -> {
                    INDArray dw = in.get("dw0").dup();
                    k.linearBackward(in.get("dy"), in.get("x"), in.get("w"), null, dw, null);
                    return map("dw", dw);
                }),
                new Simple("splitHeadsQkNorm", KernelCases::headInputs, (k, in) -> {
                    INDArray q = garbage(in.get("dq"));
                    INDArray kk = garbage(in.get("dk"));
                    INDArray v = garbage(in.get("dv"));
                    INDArray stats = garbage(in.get("stats"));
                    k.splitHeads(in.get("x"), EPS, in.get("qGamma"), in.get("qBeta"), in.get("kGamma"), in.get("kBeta"),
                            q, kk, v, stats);
                    return map("q", q, "k", kk, "v", v, "stats", stats);
                }),
                new Simple("splitHeads", KernelCases::headInputs, (k, in) -> {
                    INDArray q = garbage(in.get("dq"));
                    INDArray kk = garbage(in.get("dk"));
                    INDArray v = garbage(in.get("dv"));
                    k.splitHeads(in.get("x"), EPS, null, null, null, null, q, kk, v, null);
                    return map("q", q, "k", kk, "v", v);
                }),
                new Simple("splitHeadsQkNormBackward", KernelCases::headInputs, (k, in) -> {
                    INDArray dx = garbage(in.get("x"));
                    INDArray dqg = in.get("dGamma0").dup();
                    INDArray dqb = in.get("dBeta0").dup();
                    INDArray dkg = in.get("dGamma0").dup();
                    INDArray dkb = in.get("dBeta0").dup();
                    k.splitHeadsBackward(in.get("dq"), in.get("dk"), in.get("dv"), in.get("x"), in.get("qGamma"),
                            in.get("kGamma"), in.get("stats"), dx, dqg, dqb, dkg, dkb);
                    return map("dx", dx, "dqGamma", dqg, "dqBeta", dqb, "dkGamma", dkg, "dkBeta", dkb);
                }),
                new Simple("splitHeadsBackward", KernelCases::headInputs, (k, in) -> {
                    INDArray dx = garbage(in.get("x"));
                    k.splitHeadsBackward(in.get("dq"), in.get("dk"), in.get("dv"), in.get("x"), null, null, null, dx,
                            null, null, null, null);
                    return map("dx", dx);
                }),
                new Simple("attentionAndSplitBackwardQkNorm", KernelCases::splitAttentionInputs,
                        (k, in) -> attentionAndSplitBackward(k, in, true, GARBAGE)),
                new Simple("attentionAndSplitBackward", KernelCases::splitAttentionInputs,
                        (k, in) -> attentionAndSplitBackward(k, in, false, GARBAGE)),
                new Simple("attention", KernelCases::attentionInputs, (k, in) -> {
                    INDArray probs = garbage(in.get("probs"));
                    INDArray out = garbage(in.get("dout"));
                    k.attention(in.get("q"), in.get("k"), in.get("v"), in.get("scale").getDouble(0), probs, out);
                    return map("probs", probs, "out", out);
                }),
                new Simple("attentionTokenMajor", KernelCases::attentionInputs, (k, in) -> {
                    INDArray probs = garbage(in.get("probs"));
                    INDArray d = in.get("dout");
                    INDArray out = Nd4j.create(d.dataType(), d.size(0) / 3, d.size(1), 3 * d.size(2)).assign(7);
                    k.attention(in.get("q"), in.get("k"), in.get("v"), in.get("scale").getDouble(0), probs, out);
                    return map("probs", probs, "out", out);
                }),
                new Simple("attentionBackwardTokenMajor", KernelCases::attentionInputs, (k, in) -> {
                    INDArray dq = garbage(in.get("q"));
                    INDArray dk = garbage(in.get("k"));
                    INDArray dv = garbage(in.get("v"));
                    INDArray d = in.get("dout");
                    // the same gradient values, each sample's 3 heads side by side per token
                    INDArray dout = d.reshape('c', d.size(0) / 3, 3, d.size(1), d.size(2)).permute(0, 2, 1, 3)
                            .dup('c').reshape('c', d.size(0) / 3, d.size(1), 3 * d.size(2));
                    k.attentionBackward(in.get("q"), in.get("k"), in.get("v"), in.get("probs"),
                            in.get("scale").getDouble(0), dout, dq, dk, dv);
                    return map("dq", dq, "dk", dk, "dv", dv);
                }),
                new Simple("attentionBackward", KernelCases::attentionInputs, (k, in) -> {
                    INDArray dq = garbage(in.get("q"));
                    INDArray dk = garbage(in.get("k"));
                    INDArray dv = garbage(in.get("v"));
                    k.attentionBackward(in.get("q"), in.get("k"), in.get("v"), in.get("probs"),
                            in.get("scale").getDouble(0), in.get("dout"), dq, dk, dv);
                    return map("dq", dq, "dk", dk, "dv", dv);
                }));
    }
}
