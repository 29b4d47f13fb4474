package org.svgjava.core.kernels;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class FastMathTest {
    @Test
    void floatExpIsAccurateToAboutOneUlpOverTheWholeRange() {
        int n = 1 << 20;
        float[] v = new float[n];
        float[] t = new float[n];
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = FastMath.EXP_LO + (FastMath.EXP_HI - FastMath.EXP_LO) * i / (n - 1);
            v[i] = x[i];
        }
        FastMath.exp(v, t, n);
        double worst = 0;
        for (int i = 0; i < n; i++) {
            double e = Math.exp(x[i]);
            worst = Math.max(worst, Math.abs(v[i] - e) / e);
        }
        assertThat(worst).isLessThan(1e-7);
    }

    @Test
    void floatExpClampsInsteadOfOverflowing() {
        float[] v = {-1000f, 1000f, Float.NaN, 0f, -0f};
        FastMath.exp(v, new float[5], 5);
        assertThat(v[0]).isGreaterThanOrEqualTo(0f).isLessThan(1e-37f);
        assertThat(v[1]).isFinite().isGreaterThan(1e38f);
        assertThat(v[2]).isNaN();
        assertThat(v[3]).isEqualTo(1f);
        assertThat(v[4]).isEqualTo(1f);
    }

    @Test
    void codyErfcHasDoubleRelativeAccuracy() {
        double worst = 0;
        for (int i = 0; i <= 20000; i++) {
            double z = -6 + 33.0 * i / 20000;
            double e = ReferenceKernels.erfc(z);
            if (e < 1e-300) {
                continue;
            }
            double err = Math.abs(FastMath.erfc(z) - e) / e;
            worst = Math.max(worst, err);
        }
        // the reference's own exp(-z*z) carries the rounding of z*z: about z^2 * 1e-16 relative (Cody avoids it)
        assertThat(worst).isLessThan(1e-13);
        assertThat(FastMath.erfc(0)).isEqualTo(1.0);
        assertThat(FastMath.erfc(30)).isEqualTo(0.0);
        assertThat(FastMath.erfc(-30)).isEqualTo(2.0);
    }

    @Test
    void floatErfcIsGoodToAFewTenthsOfAMillionthWhereItMatters() {
        int n = 100000;
        float[] v = new float[n];
        float[] z = new float[n];
        for (int i = 0; i < n; i++) {
            z[i] = 9f * i / n;
            v[i] = z[i];
        }
        FastMath.erfcNonNegative(v, new float[n], new float[n], n);
        double worstBelow3 = 0;
        double worst = 0;
        for (int i = 0; i < n; i++) {
            double e = ReferenceKernels.erfc(z[i]);
            double rel = Math.abs(v[i] - e) / e;
            worst = Math.max(worst, rel);
            if (z[i] <= 3) {
                worstBelow3 = Math.max(worstBelow3, rel);
            }
        }
        // Numerical Recipes' fit is good to 1.2e-7; rounding the exp argument (-z^2 + ..., up to ~-81) to float
        // adds about ulp(z^2) / 2 relative: 5e-7 at z = 3, where erfc is 2e-5
        assertThat(worstBelow3).isLessThan(2e-6);
        assertThat(worst).isLessThan(1e-5);
    }

    @Test
    void sumsAndDotsAreAsGoodAsDoubleSumsOfShortFloatPartials() {
        java.util.Random r = new java.util.Random(2);
        float[] a = new float[1001];
        float[] b = new float[1001];
        double es = 0;
        double ed = 0;
        double ess = 0;
        double abs = 0;
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) (3 + r.nextGaussian());
            b[i] = (float) r.nextGaussian();
            es += a[i];
            ed += (double) a[i] * b[i];
            ess += (a[i] - 3.0) * (a[i] - 3.0);
            abs += Math.abs((double) a[i] * b[i]);
        }
        // float lanes of 8 terms: error within a few float roundings of the block sums
        assertThat(Math.abs(FastMath.sum(a, a.length) - es)).isLessThan(2e-7 * es);
        assertThat(Math.abs(FastMath.dot(a, b, a.length) - ed)).isLessThan(2e-7 * abs);
        assertThat(Math.abs(FastMath.sumSquaredDeviation(a, a.length, 3f) - ess)).isLessThan(2e-7 * ess);
        double[] acc = {1, 2, 3};
        float[] block = {0.5f, 0.25f, 0.125f};
        FastMath.flush(block, acc, 0, 3);
        assertThat(acc).containsExactly(1.5, 2.25, 3.125);
        assertThat(block).containsOnly(0f);
    }

    @Test
    void maxOfEveryLaneAndTailPassingOverNaN() {
        java.util.Random r = new java.util.Random(7);
        for (int n = 1; n <= 37; n++) {
            for (int at = 0; at < n; at++) {
                float[] a = new float[n + 5];
                for (int i = 0; i < a.length; i++) {
                    a[i] = -1000 - r.nextFloat();
                }
                a[2 + at] = 3.5f;
                if (n > 1) {
                    a[2 + (at + 1) % n] = Float.NaN;
                }
                org.assertj.core.api.Assertions.assertThat(FastMath.max(a, 2, n)).as("n %d at %d", n, at).isEqualTo(3.5f);
            }
        }
    }
}
