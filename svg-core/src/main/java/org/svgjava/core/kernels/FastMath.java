package org.svgjava.core.kernels;

/**
 * Array-at-a-time transcendental functions for the float kernels, and a double-accurate erfc for the double ones.
 *
 * <p>HotSpot C2 (Java 17) auto-vectorises a loop only if every operation in it has a vector form: float
 * arithmetic, {@code Math.min/max/abs} do, but the float/int bit moves that build {@code 2^k} in an exp do not,
 * and one such operation keeps a whole fused loop scalar (measured: 5.5 ns per exp fused, 0.9 ns split). So each
 * function is a few short loops over caller-provided work arrays that stay in L1: the float-only part runs in
 * vector registers, its polynomials as {@link Math#fma} (vectorised FMA instructions: 0.38 against 0.52 ns per
 * exp for the first loop, and one rounding fewer per step). The exponent step moves the bits through a byte
 * buffer instead (see {@link #scaleByPowerOfTwo}), so that it too runs as vector integer arithmetic.
 */
final class FastMath {
    static final float LOG2E = 1.44269504088896341f;
    /** ln 2 split so that {@code k * LN2_HI} is exact for |k| < 2^15 (Cody-Waite range reduction). */
    static final float LN2_HI = 0.693359375f;
    static final float LN2_LO = -2.12194440e-4f;
    /** 1.5 * 2^23: adding it rounds a float of magnitude below 2^22 to an integer held in the low mantissa bits. */
    static final float ROUND_MAGIC = 12582912f;
    private static final int MAGIC_BITS = 0x4B400000;
    /** exp(EXP_HI) and exp(EXP_LO) are finite normal floats, so no overflow, infinity or denormal arises. */
    static final float EXP_HI = 88.3f;
    static final float EXP_LO = -87.3f;

    private FastMath() {
    }

    /**
     * {@code v[i] = exp(v[i])} for {@code i < n}, relative error below 1e-7 (Cephes expf polynomial), arguments
     * clamped to [{@value #EXP_LO}, {@value #EXP_HI}]. {@code t} is work space of at least n.
     */
    static void exp(float[] v, float[] t, int n) {
        for (int i = 0; i < n; i++) {
            float x = Math.max(EXP_LO, Math.min(EXP_HI, v[i]));
            float rounded = Math.fma(x, LOG2E, ROUND_MAGIC);
            t[i] = rounded;
            float k = rounded - ROUND_MAGIC;
            float r = Math.fma(k, -LN2_LO, Math.fma(k, -LN2_HI, x));
            float p = 1.9875691500E-4f;
            p = Math.fma(p, r, 1.3981999507E-3f);
            p = Math.fma(p, r, 8.3334519073E-3f);
            p = Math.fma(p, r, 4.1665795894E-2f);
            p = Math.fma(p, r, 1.6666665459E-1f);
            p = Math.fma(p, r, 5.0000001201E-1f);
            v[i] = Math.fma(p * r, r, r) + 1f;
        }
        scaleByPowerOfTwo(v, t, n);
    }

    /** Elements per pass through the per-thread reinterpretation buffer. */
    private static final int BITS_BLOCK = 1024;

    /** A per-thread byte buffer seen as floats and as ints, and an int work array. */
    private record Bits(java.nio.FloatBuffer floats, java.nio.IntBuffer ints, int[] work) {
        static Bits create() {
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(4 * BITS_BLOCK).order(java.nio.ByteOrder.nativeOrder());
            return new Bits(b.asFloatBuffer(), b.asIntBuffer(), new int[BITS_BLOCK]);
        }
    }

    private static final ThreadLocal<Bits> BITS = ThreadLocal.withInitial(Bits::create);

    /**
     * {@code v[i] *= 2^k} where {@code t[i] = k + ROUND_MAGIC}. C2 keeps {@code floatToRawIntBits} and
     * {@code intBitsToFloat} scalar, so the bits go through a byte buffer instead: floats in, ints out (two bulk
     * copies), the exponent arithmetic as an int loop that vectorises, and back. Measured 0.79 against 1.19 ns per
     * exp over 1024-element arrays.
     */
    private static void scaleByPowerOfTwo(float[] v, float[] t, int n) {
        Bits bits = BITS.get();
        int[] k = bits.work();
        for (int from = 0; from < n; from += BITS_BLOCK) {
            int len = Math.min(BITS_BLOCK, n - from);
            bits.floats().put(0, t, from, len);
            bits.ints().get(0, k, 0, len);
            for (int i = 0; i < len; i++) {
                k[i] = (k[i] - MAGIC_BITS + 127) << 23;
            }
            bits.ints().put(0, k, 0, len);
            bits.floats().get(0, t, from, len);
            for (int i = 0; i < len; i++) {
                v[from + i] *= t[from + i];
            }
        }
    }

    /** Elements summed in float lanes before a block sum is added in double. */
    private static final int LANE_BLOCK = 64;

    // Reductions over float arrays: eight float lanes, each summing 8 of every 64 elements, then the block total is
    // added in double. Adding in double per element costs a float-to-double conversion each (0.5 ns, scalar: C2 of
    // Java 17 does not vectorise size-changing conversions); the lanes cost 0.18 ns and keep the part summed in
    // float to 8 terms, so the result is as good as a double sum of rounded 8-term partial sums.

    static double sum(float[] a, int n) {
        return sum(a, 0, n);
    }

    /** Sum of {@code a[from, from + n)}. */
    static double sum(float[] a, int from, int n) {
        double total = 0;
        int i = from;
        int end = from + n;
        for (; i + LANE_BLOCK <= end; i += LANE_BLOCK) {
            float s0 = 0;
            float s1 = 0;
            float s2 = 0;
            float s3 = 0;
            float s4 = 0;
            float s5 = 0;
            float s6 = 0;
            float s7 = 0;
            for (int j = i; j < i + LANE_BLOCK; j += 8) {
                s0 += a[j];
                s1 += a[j + 1];
                s2 += a[j + 2];
                s3 += a[j + 3];
                s4 += a[j + 4];
                s5 += a[j + 5];
                s6 += a[j + 6];
                s7 += a[j + 7];
            }
            total += (((double) s0 + s1) + ((double) s2 + s3)) + (((double) s4 + s5) + ((double) s6 + s7));
        }
        for (; i < end; i++) {
            total += a[i];
        }
        return total;
    }

    /**
     * Largest of {@code a[from, from + n)} (NaNs are passed over). Eight independent lanes: one running maximum
     * is a chain of dependent compares that C2 of Java 17 does not vectorise.
     */
    static float max(float[] a, int from, int n) {
        float m0 = Float.NEGATIVE_INFINITY;
        float m1 = m0;
        float m2 = m0;
        float m3 = m0;
        float m4 = m0;
        float m5 = m0;
        float m6 = m0;
        float m7 = m0;
        int i = from;
        int end = from + n;
        for (; i + 8 <= end; i += 8) {
            m0 = a[i] > m0 ? a[i] : m0;
            m1 = a[i + 1] > m1 ? a[i + 1] : m1;
            m2 = a[i + 2] > m2 ? a[i + 2] : m2;
            m3 = a[i + 3] > m3 ? a[i + 3] : m3;
            m4 = a[i + 4] > m4 ? a[i + 4] : m4;
            m5 = a[i + 5] > m5 ? a[i + 5] : m5;
            m6 = a[i + 6] > m6 ? a[i + 6] : m6;
            m7 = a[i + 7] > m7 ? a[i + 7] : m7;
        }
        for (; i < end; i++) {
            m0 = a[i] > m0 ? a[i] : m0;
        }
        return Math.max(Math.max(Math.max(m0, m1), Math.max(m2, m3)), Math.max(Math.max(m4, m5), Math.max(m6, m7)));
    }

    /** Sum of {@code (a[i] - c)^2}. */
    static double sumSquaredDeviation(float[] a, int n, float c) {
        double total = 0;
        int i = 0;
        for (; i + LANE_BLOCK <= n; i += LANE_BLOCK) {
            float s0 = 0;
            float s1 = 0;
            float s2 = 0;
            float s3 = 0;
            float s4 = 0;
            float s5 = 0;
            float s6 = 0;
            float s7 = 0;
            for (int j = i; j < i + LANE_BLOCK; j += 8) {
                float d0 = a[j] - c;
                float d1 = a[j + 1] - c;
                float d2 = a[j + 2] - c;
                float d3 = a[j + 3] - c;
                float d4 = a[j + 4] - c;
                float d5 = a[j + 5] - c;
                float d6 = a[j + 6] - c;
                float d7 = a[j + 7] - c;
                s0 += d0 * d0;
                s1 += d1 * d1;
                s2 += d2 * d2;
                s3 += d3 * d3;
                s4 += d4 * d4;
                s5 += d5 * d5;
                s6 += d6 * d6;
                s7 += d7 * d7;
            }
            total += (((double) s0 + s1) + ((double) s2 + s3)) + (((double) s4 + s5) + ((double) s6 + s7));
        }
        for (; i < n; i++) {
            double d = a[i] - c;
            total += d * d;
        }
        return total;
    }

    /** {@code acc[off + i] += block[from + i]} and clears those: flushes float partial sums into double ones. */
    static void flush(float[] block, int from, double[] acc, int off, int n) {
        for (int i = 0; i < n; i++) {
            acc[off + i] += block[from + i];
            block[from + i] = 0;
        }
    }

    /** Dot product. */
    static double dot(float[] a, float[] b, int n) {
        double total = 0;
        int i = 0;
        for (; i + LANE_BLOCK <= n; i += LANE_BLOCK) {
            float s0 = 0;
            float s1 = 0;
            float s2 = 0;
            float s3 = 0;
            float s4 = 0;
            float s5 = 0;
            float s6 = 0;
            float s7 = 0;
            for (int j = i; j < i + LANE_BLOCK; j += 8) {
                s0 += a[j] * b[j];
                s1 += a[j + 1] * b[j + 1];
                s2 += a[j + 2] * b[j + 2];
                s3 += a[j + 3] * b[j + 3];
                s4 += a[j + 4] * b[j + 4];
                s5 += a[j + 5] * b[j + 5];
                s6 += a[j + 6] * b[j + 6];
                s7 += a[j + 7] * b[j + 7];
            }
            total += (((double) s0 + s1) + ((double) s2 + s3)) + (((double) s4 + s5) + ((double) s6 + s7));
        }
        for (; i < n; i++) {
            total += (double) a[i] * b[i];
        }
        return total;
    }

    /** {@code acc[off + i] += block[i]} and clears the block: flushes float partial sums into double ones. */
    static void flush(float[] block, double[] acc, int off, int n) {
        flush(block, 0, acc, off, n);
    }

    static double sum(double[] a, int n) {
        double s0 = 0;
        double s1 = 0;
        int i = 0;
        for (; i + 1 < n; i += 2) {
            s0 += a[i];
            s1 += a[i + 1];
        }
        for (; i < n; i++) {
            s0 += a[i];
        }
        return s0 + s1;
    }

    static double dot(double[] a, double[] b, int n) {
        double s0 = 0;
        double s1 = 0;
        int i = 0;
        for (; i + 1 < n; i += 2) {
            s0 += a[i] * b[i];
            s1 += a[i + 1] * b[i + 1];
        }
        for (; i < n; i++) {
            s0 += a[i] * b[i];
        }
        return s0 + s1;
    }

    /**
     * {@code v[i] = erfc(v[i])} for arguments {@code >= 0}: the Chebyshev fit of Numerical Recipes (erfcc, 1.2e-7)
     * in float arithmetic, whose rounding of the exponent {@code -z^2 + ...} adds about ulp(z^2) / 2: relative
     * error below 2e-6 for z <= 3 (erfc >= 2e-5), below 1e-5 beyond, where (in GELU) it multiplies a term of
     * negligible size. {@code t} and {@code u} are work space.
     */
    static void erfcNonNegative(float[] v, float[] t, float[] u, int n) {
        for (int i = 0; i < n; i++) {
            float z = v[i];
            float q = 1f / (1f + 0.5f * z);
            float p = 0.17087277f;
            p = p * q - 0.82215223f;
            p = p * q + 1.48851587f;
            p = p * q - 1.13520398f;
            p = p * q + 0.27886807f;
            p = p * q - 0.18628806f;
            p = p * q + 0.09678418f;
            p = p * q + 0.37409196f;
            p = p * q + 1.00002368f;
            p = p * q - 1.26551223f;
            u[i] = q;
            v[i] = p - z * z;
        }
        exp(v, t, n);
        for (int i = 0; i < n; i++) {
            v[i] *= u[i];
        }
    }

    // W. J. Cody, "Rational Chebyshev approximations for the error function", Math. Comp. 23 (1969) 631-638,
    // as arranged in the netlib specfun routine CALERF: near-minimax rational functions on three intervals.
    private static final double[] A = {3.16112374387056560e00, 1.13864154151050156e02, 3.77485237685302021e02,
            3.20937758913846947e03, 1.85777706184603153e-1};
    private static final double[] B = {2.36012909523441209e01, 2.44024637934444173e02, 1.28261652607737228e03,
            2.84423683343917062e03};
    private static final double[] C = {5.64188496988670089e-1, 8.88314979438837594e00, 6.61191906371416295e01,
            2.98635138197400131e02, 8.81952221241769090e02, 1.71204761263407058e03, 2.05107837782607147e03,
            1.23033935479799725e03, 2.15311535474403846e-8};
    private static final double[] D = {1.57449261107098347e01, 1.17693950891312499e02, 5.37181101862009858e02,
            1.62138957456669019e03, 3.29079923573345963e03, 4.36261909014324716e03, 3.43936767414372164e03,
            1.23033935480374942e03};
    private static final double[] P = {3.05326634961232344e-1, 3.60344899949804439e-1, 1.25781726111229246e-1,
            1.60837851487422766e-2, 6.58749161529837803e-4, 1.63153871373020978e-2};
    private static final double[] Q = {2.56852019228982242e00, 1.87295284992346047e00, 5.27905102951428412e-1,
            6.05183413124413191e-2, 2.33520497626869185e-3};
    private static final double ONE_OVER_SQRT_PI = 0.56418958354775628695;
    /** Above this erfc underflows to 0 in double. */
    private static final double ERFC_ZERO = 26.543;

    /** erfc(x) with relative error near double rounding for every x (and so erf = 1 - erfc where that is accurate). */
    static double erfc(double x) {
        double y = Math.abs(x);
        double r;
        if (y <= 0.46875) {
            double ysq = y * y;
            double num = A[4] * ysq;
            double den = ysq;
            for (int i = 0; i < 3; i++) {
                num = (num + A[i]) * ysq;
                den = (den + B[i]) * ysq;
            }
            return 1 - x * (num + A[3]) / (den + B[3]);
        } else if (y <= 4) {
            double num = C[8] * y;
            double den = y;
            for (int i = 0; i < 7; i++) {
                num = (num + C[i]) * y;
                den = (den + D[i]) * y;
            }
            r = (num + C[7]) / (den + D[7]);
        } else if (y >= ERFC_ZERO) {
            r = 0;
        } else {
            double ysq = 1 / (y * y);
            double num = P[5] * ysq;
            double den = ysq;
            for (int i = 0; i < 4; i++) {
                num = (num + P[i]) * ysq;
                den = (den + Q[i]) * ysq;
            }
            r = ysq * (num + P[4]) / (den + Q[4]);
            r = (ONE_OVER_SQRT_PI - r) / y;
        }
        if (r != 0) {
            // exp(-y^2) split so the rounding of y^2 does not cost relative accuracy for large y
            double ysq = Math.floor(y * 16) / 16;
            double del = (y - ysq) * (y + ysq);
            r *= Math.exp(-ysq * ysq) * Math.exp(-del);
        }
        return x < 0 ? 2 - r : r;
    }
}
