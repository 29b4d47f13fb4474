package org.svgjava.core.testing;

import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.Shape;

/**
 * Comparisons of arrays for tests against golden files. Two measures:
 * <ul>
 *   <li>{@link #assertRelClose}: max |a - e| / max |e|, the measure the golden files' README states tolerances in
 *       (1e-4 for forward outputs, 1e-3 for gradients and sampling);</li>
 *   <li>{@link #assertAllclose}: numpy's element-wise {@code |a - e| <= atol + rtol |e|}.</li>
 * </ul>
 * Failures report the shapes, the errors and the worst index with both values, so a mismatch can be located.
 */
public final class Allclose {
    private Allclose() {
    }

    /** The outcome of comparing two arrays of equal shape. */
    public record Comparison(double maxAbsError, double maxAbsExpected, long[] worstIndex, double actualAtWorst,
                             double expectedAtWorst, long nonFinite) {
        public double relError() {
            return maxAbsExpected == 0 ? maxAbsError : maxAbsError / maxAbsExpected;
        }

        @Override
        public String toString() {
            return String.format("max abs error %.3e, max |expected| %.3e, relative %.3e; worst at %s: actual %.8g,"
                            + " expected %.8g%s", maxAbsError, maxAbsExpected, relError(), Arrays.toString(worstIndex),
                    actualAtWorst, expectedAtWorst, nonFinite > 0 ? "; " + nonFinite + " non-finite mismatches" : "");
        }
    }

    public static Comparison compare(INDArray actual, INDArray expected) {
        requireSameShape("", actual, expected);
        double[] a = actual.castTo(DataType.DOUBLE).dup('c').data().asDouble();
        double[] e = expected.castTo(DataType.DOUBLE).dup('c').data().asDouble();
        double maxErr = 0;
        double maxExp = 0;
        int worst = 0;
        long nonFinite = 0;
        for (int i = 0; i < a.length; i++) {
            if (Double.isFinite(e[i])) {
                maxExp = Math.max(maxExp, Math.abs(e[i]));
            }
            double err;
            if (Double.isFinite(a[i]) && Double.isFinite(e[i])) {
                err = Math.abs(a[i] - e[i]);
            } else if (Double.compare(a[i], e[i]) == 0 || (Double.isNaN(a[i]) && Double.isNaN(e[i]))) {
                err = 0;
            } else {
                nonFinite++;
                err = Double.POSITIVE_INFINITY;
            }
            if (err > maxErr) {
                maxErr = err;
                worst = i;
            }
        }
        long[] idx = a.length == 0 ? new long[0] : Shape.ind2subC(actual.shape(), worst);
        return new Comparison(maxErr, maxExp, idx, a.length == 0 ? 0 : a[worst], a.length == 0 ? 0 : e[worst], nonFinite);
    }

    /** Fails unless max |a - e| <= relTol * max |e|. */
    public static Comparison assertRelClose(String what, INDArray actual, INDArray expected, double relTol) {
        Comparison c = compare(actual, expected);
        if (c.nonFinite() > 0 || !(c.relError() <= relTol)) {
            throw new AssertionError(what + " " + Arrays.toString(actual.shape()) + ": relative error " +
                    String.format("%.3e", c.relError()) + " exceeds " + relTol + " (" + c + ")");
        }
        return c;
    }

    /** Fails unless every element has |a - e| <= atol + rtol * |e| (numpy.allclose). */
    public static void assertAllclose(String what, INDArray actual, INDArray expected, double rtol, double atol) {
        requireSameShape(what, actual, expected);
        double[] a = actual.castTo(DataType.DOUBLE).dup('c').data().asDouble();
        double[] e = expected.castTo(DataType.DOUBLE).dup('c').data().asDouble();
        long bad = 0;
        int worst = -1;
        double worstExcess = -1;
        for (int i = 0; i < a.length; i++) {
            double diff = Math.abs(a[i] - e[i]);
            double allowed = atol + rtol * Math.abs(e[i]);
            boolean ok = diff <= allowed || (Double.isNaN(a[i]) && Double.isNaN(e[i])) || a[i] == e[i];
            if (!ok) {
                bad++;
                double excess = Double.isNaN(diff) ? Double.POSITIVE_INFINITY : diff - allowed;
                if (excess > worstExcess) {
                    worstExcess = excess;
                    worst = i;
                }
            }
        }
        if (bad > 0) {
            long[] idx = Shape.ind2subC(actual.shape(), worst);
            throw new AssertionError(String.format("%s %s: %d of %d elements not close (rtol %.1e, atol %.1e); worst at "
                            + "%s: actual %.8g, expected %.8g, |diff| %.3e", what, Arrays.toString(actual.shape()), bad,
                    a.length, rtol, atol, Arrays.toString(idx), a[worst], e[worst], Math.abs(a[worst] - e[worst])));
        }
    }

    private static void requireSameShape(String what, INDArray actual, INDArray expected) {
        if (!Arrays.equals(actual.shape(), expected.shape())) {
            throw new AssertionError(what + (what.isEmpty() ? "" : ": ") + "shape " + Arrays.toString(actual.shape())
                    + " differs from expected " + Arrays.toString(expected.shape()));
        }
    }
}
