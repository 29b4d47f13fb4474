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
        FloatBuffer[] f = type == DataType.FLOAT ? FlatBuffers.floats(grads.flat()) : null;
        DoubleBuffer[] d = f == null ? FlatBuffers.doubles(grads.flat()) : null;
        double total = Math.sqrt(loop.sum(f != null ? (from, to) -> squares(f, from, to) : (from, to) -> squares(d, from, to)));
        if (!Double.isFinite(total)) {
            log.debug("gradient norm is {}: gradients left unscaled", total);
            return total;
        }
        double coef = maxNorm / (total + EPS);
        if (coef < 1) {
            loop.forEach(f != null ? (from, to) -> scale(f, from, to, (float) coef) : (from, to) -> scale(d, from, to, coef));
            FlatBuffers.wroteHost(grads.flat());
        }
        return total;
    }

    private static final int BLOCK = 2048;
    private static final ThreadLocal<float[]> BLOCKS = ThreadLocal.withInitial(() -> new float[BLOCK]);

    // float data goes through heap blocks, where the JIT vectorises (element-wise FloatBuffer access is several
    // times slower and this runs over every parameter each step)
    private static double squares(FloatBuffer[] g, int from, int to) {
        FloatBuffer b = g[FlatBuffers.segment(from)];
        float[] a = BLOCKS.get();
        double s = 0;
        for (int start = FlatBuffers.local(from), hi = start + (to - from); start < hi; start += BLOCK) {
            int n = Math.min(BLOCK, hi - start);
            b.get(start, a, 0, n);
            for (int i = 0; i < n; i++) {
                double x = a[i];
                s += x * x;
            }
        }
        return s;
    }

    /** PyTorch multiplies fp32 gradients by the coefficient cast to float. */
    private static void scale(FloatBuffer[] g, int from, int to, float coef) {
        FloatBuffer b = g[FlatBuffers.segment(from)];
        float[] a = BLOCKS.get();
        for (int start = FlatBuffers.local(from), hi = start + (to - from); start < hi; start += BLOCK) {
            int n = Math.min(BLOCK, hi - start);
            b.get(start, a, 0, n);
            for (int i = 0; i < n; i++) {
                a[i] *= coef;
            }
            b.put(start, a, 0, n);
        }
    }

    private static double squares(DoubleBuffer[] g, int from, int to) {
        DoubleBuffer b = g[FlatBuffers.segment(from)];
        double s = 0;
        for (int i = FlatBuffers.local(from), hi = i + (to - from); i < hi; i++) {
            double x = b.get(i);
            s += x * x;
        }
        return s;
    }

    private static void scale(DoubleBuffer[] g, int from, int to, double coef) {
        DoubleBuffer b = g[FlatBuffers.segment(from)];
        for (int i = FlatBuffers.local(from), hi = i + (to - from); i < hi; i++) {
            b.put(i, b.get(i) * coef);
        }
    }
}
