package org.svgjava.core.testing;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.Shape;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Finite-difference check of a backward pass, in double precision. The scalar checked is
 * {@code L = sum(forward(x) * R)} with a fixed random R, so every output element contributes; each checked element
 * of the input and of every parameter is compared with the central difference {@code (L(+eps) - L(-eps)) / 2 eps}.
 */
public final class GradientCheck {
    /** Settings; the defaults suit smooth layers in double precision. */
    public record Options(double eps, double maxRelError, double minAbsError, int maxChecksPerTensor, long seed) {
        public static Options defaults() {
            return new Options(1e-6, 1e-6, 1e-9, 200, 42);
        }

        public Options withMaxRelError(double v) {
            return new Options(eps, v, minAbsError, maxChecksPerTensor, seed);
        }

        public Options withEps(double v) {
            return new Options(v, maxRelError, minAbsError, maxChecksPerTensor, seed);
        }

        public Options withMinAbsError(double v) {
            return new Options(eps, maxRelError, v, maxChecksPerTensor, seed);
        }
    }

    private GradientCheck() {
    }

    public static void check(Differentiable f, INDArray input) {
        check(f, input, Options.defaults());
    }

    /** Throws an AssertionError listing every element whose analytic and numeric gradients disagree. */
    public static void check(Differentiable f, INDArray input, Options o) {
        requireDouble("input", input);
        f.parameters().forEach(GradientCheck::requireDouble);
        INDArray probe = f.forward(input).dup();
        requireDouble("output", probe);
        Nd4j.getRandom().setSeed(o.seed());
        INDArray r = Nd4j.rand(DataType.DOUBLE, probe.shape()).subi(0.5).muli(2);

        f.gradients().values().forEach(g -> g.assign(0));
        f.forward(input);
        INDArray analyticInput = f.backward(r.dup()).dup();
        List<String> failures = new ArrayList<>();
        compareTensor("input", input, analyticInput, f, input, r, o, failures);
        for (Map.Entry<String, INDArray> p : f.parameters().entrySet()) {
            INDArray g = f.gradients().get(p.getKey());
            if (g == null) {
                failures.add(p.getKey() + ": no gradient accumulator");
                continue;
            }
            compareTensor(p.getKey(), p.getValue(), g.dup(), f, input, r, o, failures);
        }
        if (!failures.isEmpty()) {
            throw new AssertionError("gradient check failed for " + failures.size() + " tensors:\n  "
                    + String.join("\n  ", failures));
        }
    }

    private static void compareTensor(String name, INDArray target, INDArray analytic, Differentiable f, INDArray input,
                                      INDArray r, Options o, List<String> failures) {
        if (!Arrays.equals(target.shape(), analytic.shape())) {
            failures.add(name + ": gradient shape " + Arrays.toString(analytic.shape()) + " vs " + Arrays.toString(target.shape()));
            return;
        }
        long n = target.length();
        long[] indices = pick(n, o.maxChecksPerTensor(), new Random(o.seed() ^ name.hashCode()));
        int bad = 0;
        String worst = null;
        double worstRel = -1;
        for (long flatIdx : indices) {
            long[] idx = Shape.ind2subC(target.shape(), flatIdx);
            double orig = target.getDouble(idx);
            target.putScalar(idx, orig + o.eps());
            double plus = loss(f, input, r);
            target.putScalar(idx, orig - o.eps());
            double minus = loss(f, input, r);
            target.putScalar(idx, orig);
            double numeric = (plus - minus) / (2 * o.eps());
            double a = analytic.getDouble(idx);
            double diff = Math.abs(a - numeric);
            double rel = diff == 0 ? 0 : diff / (Math.abs(a) + Math.abs(numeric));
            if (diff > o.minAbsError() && rel > o.maxRelError()) {
                bad++;
                if (rel > worstRel) {
                    worstRel = rel;
                    worst = String.format("worst %s%s: analytic %.10g, numeric %.10g, relative error %.3e", name,
                            Arrays.toString(idx), a, numeric, rel);
                }
            }
        }
        if (bad > 0) {
            failures.add(name + ": " + bad + " of " + indices.length + " checked elements disagree; " + worst);
        }
    }

    private static double loss(Differentiable f, INDArray input, INDArray r) {
        return f.forward(input).mul(r).sumNumber().doubleValue();
    }

    private static long[] pick(long n, int max, Random rnd) {
        if (n <= max) {
            long[] all = new long[(int) n];
            for (int i = 0; i < n; i++) {
                all[i] = i;
            }
            return all;
        }
        long[] out = new long[max];
        for (int i = 0; i < max; i++) {
            out[i] = (long) (rnd.nextDouble() * n);
        }
        return out;
    }

    private static void requireDouble(String name, INDArray a) {
        if (a.dataType() != DataType.DOUBLE) {
            throw new IllegalArgumentException(name + " is " + a.dataType() + "; gradient checks run in DOUBLE");
        }
    }
}
