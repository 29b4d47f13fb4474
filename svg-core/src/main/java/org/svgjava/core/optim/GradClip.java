package org.svgjava.core.optim;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.function.Predicate;
import org.nd4j.linalg.api.buffer.DataType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.svgjava.core.nn.ParameterSet;

/** {@code torch.nn.utils.clip_grad_norm_} over a flat gradient buffer. */
public final class GradClip {
    private static final Logger log = LoggerFactory.getLogger(GradClip.class);
    /** PyTorch's guard against dividing by a zero norm. */
    private static final double EPS = 1e-6;

    private GradClip() {
    }

    /** Clips all gradients jointly; see {@link #clipGradNorm(ParameterSet, double, Predicate)}. */
    public static double clipGradNorm(ParameterSet grads, double maxNorm) {
        return clipGradNorm(grads, maxNorm, name -> true);
    }

    /**
     * Scales the gradients of the tensors passing {@code trainable} by {@code min(1, maxNorm / (norm + 1e-6))},
     * where {@code norm} is the L2 norm of all of them together (accumulated in double), and returns that norm
     * before clipping. Frozen tensors have no gradient in PyTorch, so they neither count nor get scaled.
     *
     * <p>A non-finite norm is returned with the gradients left as they are: PyTorch (without
     * {@code error_if_nonfinite}) would scale them into NaN, which helps nobody; the caller decides to skip the
     * step or stop the run.
     */
    public static double clipGradNorm(ParameterSet grads, double maxNorm, Predicate<String> trainable) {
        if (!(maxNorm > 0)) {
            throw new IllegalArgumentException("max norm " + maxNorm + " must be > 0");
        }
        DataType type = FlatBuffers.requireSupported(grads, "gradients");
        ChunkedLoop loop = ChunkedLoop.of(grads, trainable);
        FlatBuffers.toHost(grads.flat());
        double total;
        if (type == DataType.FLOAT) {
            FloatBuffer g = FlatBuffers.floats(grads.flat());
            total = Math.sqrt(loop.sum((from, to) -> {
                double s = 0;
                for (int i = from; i < to; i++) {
                    double x = g.get(i);
                    s += x * x;
                }
                return s;
            }));
            if (!Double.isFinite(total)) {
                log.debug("gradient norm is {}: gradients left unscaled", total);
                return total;
            }
            double coef = maxNorm / (total + EPS);
            if (coef < 1) {
                loop.forEach((from, to) -> {
                    for (int i = from; i < to; i++) {
                        g.put(i, (float) (g.get(i) * coef));
                    }
                });
                FlatBuffers.wroteHost(grads.flat());
            }
        } else {
            DoubleBuffer g = FlatBuffers.doubles(grads.flat());
            total = Math.sqrt(loop.sum((from, to) -> {
                double s = 0;
                for (int i = from; i < to; i++) {
                    double x = g.get(i);
                    s += x * x;
                }
                return s;
            }));
            if (!Double.isFinite(total)) {
                log.debug("gradient norm is {}: gradients left unscaled", total);
                return total;
            }
            double coef = maxNorm / (total + EPS);
            if (coef < 1) {
                loop.forEach((from, to) -> {
                    for (int i = from; i < to; i++) {
                        g.put(i, g.get(i) * coef);
                    }
                });
                FlatBuffers.wroteHost(grads.flat());
            }
        }
        return total;
    }
}
