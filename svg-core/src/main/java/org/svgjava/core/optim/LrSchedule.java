package org.svgjava.core.optim;

/**
 * A learning rate per optimiser step. {@code step} is the 0-based index of the step about to be taken (the
 * optimiser's {@code stepCount()} before the step), so the first step of a run uses {@code lr(0)}.
 */
@FunctionalInterface
public interface LrSchedule {
    double lr(long step);

    static LrSchedule constant(double lr) {
        requireLr(lr, "lr");
        return step -> lr;
    }

    /**
     * {@code lr * min(1, (step + 1) / warmupSteps)}: the first step already uses {@code lr / warmupSteps} (never a
     * useless zero), and step {@code warmupSteps - 1} is the first at the full rate. {@code warmupSteps == 0}
     * means no warm-up.
     */
    static LrSchedule linearWarmup(double lr, long warmupSteps) {
        requireLr(lr, "lr");
        if (warmupSteps < 0) {
            throw new IllegalArgumentException("warm-up steps " + warmupSteps + " < 0");
        }
        return step -> warmupSteps == 0 ? lr : lr * Math.min(1.0, (double) (step + 1) / warmupSteps);
    }

    /**
     * The warm-up of {@link #linearWarmup}, then half a cosine from {@code lr} down to {@code minLr}:
     * {@code minLr + (lr - minLr) * (1 + cos(pi * progress)) / 2} with
     * {@code progress = (step - warmupSteps) / (totalSteps - warmupSteps)}, which is {@code lr} at step
     * {@code warmupSteps}, reaches {@code minLr} at step {@code totalSteps} and stays there after.
     */
    static LrSchedule cosine(double lr, long warmupSteps, long totalSteps, double minLr) {
        requireLr(lr, "lr");
        requireLr(minLr, "minLr");
        if (warmupSteps < 0 || totalSteps <= warmupSteps) {
            throw new IllegalArgumentException("need 0 <= warm-up steps (" + warmupSteps + ") < total steps ("
                    + totalSteps + ")");
        }
        LrSchedule warm = linearWarmup(lr, warmupSteps);
        return step -> {
            if (step < warmupSteps) {
                return warm.lr(step);
            }
            double progress = Math.min(1.0, (double) (step - warmupSteps) / (totalSteps - warmupSteps));
            return minLr + (lr - minLr) * 0.5 * (1 + Math.cos(Math.PI * progress));
        };
    }

    private static void requireLr(double lr, String what) {
        if (!(lr >= 0) || Double.isInfinite(lr)) {
            throw new IllegalArgumentException(what + " " + lr + " must be finite and >= 0");
        }
    }
}
