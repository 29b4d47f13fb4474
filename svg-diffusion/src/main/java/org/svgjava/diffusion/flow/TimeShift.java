package org.svgjava.diffusion.flow;

/**
 * The rectified-flow time shift {@code t' = s t / (1 + (s - 1) t)} (identity for s <= 0). With time running from 0
 * (noise) to 1 (data), s < 1 spends more of the schedule at high noise: SVG trains with s = 0.4 and samples with
 * s = 0.15.
 */
public final class TimeShift {
    public static final double TRAIN = 0.4;
    public static final double SAMPLE = 0.15;

    private TimeShift() {
    }

    public static double apply(double t, double shift) {
        if (shift <= 0) {
            return t;
        }
        return shift * t / (1 + (shift - 1) * t);
    }

    /**
     * The official {@code prepare_t_seq}: {@code steps + 1} times {@code shift(i / steps)}, from 0 to 1. The base grid
     * is float32 (torch.linspace), the shift is evaluated in double, the result stored as float32, as in the
     * reference code.
     */
    public static double[] grid(int steps, double shift) {
        if (steps < 1) {
            throw new IllegalArgumentException("at least one sampling step, got " + steps);
        }
        double[] t = new double[steps + 1];
        for (int i = 0; i <= steps; i++) {
            float base = i == steps ? 1f : (float) i / steps;
            t[i] = (float) apply(base, shift);
        }
        return t;
    }
}
