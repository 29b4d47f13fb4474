package org.svgjava.diffusion.flow;

import java.util.Locale;

/**
 * Classifier-free guidance: how the conditional and unconditional velocities combine at each step. The schedules
 * are the official sampler's ({@code cfg_mode}) plus guidance limited to a time interval (Kynkaanniemi et al.,
 * as the peers offer):
 * <ul>
 *   <li>{@code constant}: {@code v = vu + w (vc - vu)};</li>
 *   <li>{@code linear}: w grows from 1 to w: {@code w_i = 1 + (w - 1)(i + 1)/N};</li>
 *   <li>{@code late}: w only when {@code (i + 1)/N > 0.5}, else 1;</li>
 *   <li>{@code early-r}: w only when {@code t > r} (the near-data part, despite the name), else 1;</li>
 *   <li>{@code cfg_star-k-r}: for the first k steps {@code v = -r vu}, then {@code (1 - w) vu + w vc};</li>
 *   <li>interval {@code [lo, hi]}: any of the above applies only while {@code lo <= t <= hi}, else w = 1.</li>
 * </ul>
 */
public record Guidance(double scale, Mode mode, double param, int skipSteps, double intervalLo, double intervalHi) {
    /** The schedule. */
    public enum Mode { CONSTANT, LINEAR, LATE, EARLY, CFG_STAR }

    public static Guidance none() {
        return constant(1.0);
    }

    public static Guidance constant(double scale) {
        return new Guidance(scale, Mode.CONSTANT, 0, 0, 0, 1);
    }

    /** Parses the official {@code cfg_mode} strings: constant, linear, late, early-R, cfg_star-K-R. */
    public static Guidance parse(String cfgMode, double scale) {
        String m = cfgMode.trim().toLowerCase(Locale.ROOT);
        String[] parts = m.split("-");
        try {
            return switch (parts[0]) {
                case "constant" -> new Guidance(scale, Mode.CONSTANT, 0, 0, 0, 1);
                case "linear" -> new Guidance(scale, Mode.LINEAR, 0, 0, 0, 1);
                case "late" -> new Guidance(scale, Mode.LATE, 0, 0, 0, 1);
                case "early" -> new Guidance(scale, Mode.EARLY, Double.parseDouble(parts[1]), 0, 0, 1);
                case "cfg_star" -> new Guidance(scale, Mode.CFG_STAR, Double.parseDouble(parts[2]),
                        Integer.parseInt(parts[1]), 0, 1);
                default -> throw new IllegalArgumentException("unknown cfg mode '" + cfgMode
                        + "' (constant, linear, late, early-R, cfg_star-K-R)");
            };
        } catch (ArrayIndexOutOfBoundsException | NumberFormatException e) {
            throw new IllegalArgumentException("malformed cfg mode '" + cfgMode + "' (early-R, cfg_star-K-R)", e);
        }
    }

    /** The same schedule, active only while {@code lo <= t <= hi}. */
    public Guidance withInterval(double lo, double hi) {
        if (lo > hi) {
            throw new IllegalArgumentException("guidance interval [" + lo + ", " + hi + "] is empty");
        }
        return new Guidance(scale, mode, param, skipSteps, lo, hi);
    }

    /** Whether the unconditional branch is needed at all (scale 1 with constant guidance needs none). */
    public boolean needsUnconditional() {
        return !(mode == Mode.CONSTANT && scale == 1.0);
    }

    /** Whether the schedule depends on the step index (and so cannot drive an adaptive solver). */
    public boolean dependsOnStep() {
        return mode == Mode.LINEAR || mode == Mode.LATE || mode == Mode.CFG_STAR;
    }

    /**
     * Combines velocities in place into {@code vc}: the result for step {@code step} of {@code steps} at time t.
     * {@code vu} is used as scratch (overwritten), so a sampling step allocates nothing here.
     */
    public void combine(org.nd4j.linalg.api.ndarray.INDArray vc, org.nd4j.linalg.api.ndarray.INDArray vu, int step,
                        int steps, double t) {
        boolean inInterval = t >= intervalLo && t <= intervalHi;
        if (mode == Mode.CFG_STAR) {
            if (!inInterval) {
                return;
            }
            if (step < skipSteps) {
                vc.assign(vu).muli(-param);
            } else {
                vc.muli(scale).addi(vu.muli(1 - scale));
            }
            return;
        }
        double w = inInterval ? weight(step, steps, t) : 1.0;
        // vu + w (vc - vu) = w vc + (1 - w) vu
        if (w != 1.0) {
            vc.muli(w).addi(vu.muli(1 - w));
        }
    }

    private double weight(int step, int steps, double t) {
        return switch (mode) {
            case CONSTANT -> scale;
            case LINEAR -> 1.0 + (scale - 1.0) * (step + 1) / steps;
            case LATE -> (double) (step + 1) / steps > 0.5 ? scale : 1.0;
            case EARLY -> t > param ? scale : 1.0;
            case CFG_STAR -> scale;
        };
    }
}
