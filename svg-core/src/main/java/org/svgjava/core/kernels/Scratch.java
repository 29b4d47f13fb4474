package org.svgjava.core.kernels;

import java.util.concurrent.ForkJoinTask;

/**
 * Per-thread work arrays that grow as needed and are reused across calls, so the kernels allocate nothing in the
 * steady state. Each kernel uses distinct slots for arrays that are live at the same time.
 */
final class Scratch {
    static final int SLOTS = 11;
    private static final ThreadLocal<Scratch> LOCAL = ThreadLocal.withInitial(Scratch::new);
    private static final ThreadLocal<double[]> PARTIALS = ThreadLocal.withInitial(() -> new double[0]);

    private final float[][] floats = new float[SLOTS][];
    private final double[][] doubles = new double[SLOTS][];

    private Scratch() {
        for (int i = 0; i < SLOTS; i++) {
            floats[i] = new float[0];
            doubles[i] = new double[0];
        }
    }

    static Scratch get() {
        return LOCAL.get();
    }

    float[] floats(int slot, int n) {
        float[] a = floats[slot];
        if (a.length < n) {
            a = new float[grow(n)];
            floats[slot] = a;
        }
        return a;
    }

    double[] doubles(int slot, int n) {
        double[] a = doubles[slot];
        if (a.length < n) {
            a = new double[grow(n)];
            doubles[slot] = a;
        }
        return a;
    }

    /**
     * A zeroed array for per-chunk partial sums, owned by the thread that starts a kernel and written by the
     * chunks it forks. A thread of a ForkJoinPool may, while it waits, run another caller's kernel that would
     * reuse its array, so there it gets a fresh one.
     */
    static double[] partials(int n) {
        if (ForkJoinTask.inForkJoinPool()) {
            return new double[n];
        }
        double[] a = PARTIALS.get();
        if (a.length < n) {
            a = new double[grow(n)];
            PARTIALS.set(a);
        } else {
            java.util.Arrays.fill(a, 0, n, 0.0);
        }
        return a;
    }

    private static int grow(int n) {
        return Math.max(n, 64) + (n >> 3);
    }
}
