package org.svgjava.core.nn;

import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Inverted dropout (PyTorch's {@code nn.Dropout}: zero with probability p, scale the rest by 1/(1-p), identity in
 * eval) whose mask stream can be restarted with {@link #reseed}. A training step that reseeds its dropouts from
 * (run seed, step) draws masks that depend only on the step, so an interrupted run resumes exactly; a gradient
 * check reseeds before every forward and sees one fixed function.
 */
public final class SeededDropout extends Module implements Layer {
    private final double p;
    private SplittableRandom random;
    private boolean active;

    public SeededDropout(double p, long seed) {
        if (p < 0 || p >= 1) {
            throw new IllegalArgumentException("dropout probability must be in [0, 1), got " + p);
        }
        this.p = p;
        this.random = new SplittableRandom(seed);
    }

    public double probability() {
        return p;
    }

    /** Restarts the mask stream: the next masks are those a fresh {@code SeededDropout(p, seed)} would draw. */
    public void reseed(long seed) {
        random = new SplittableRandom(seed);
    }

    /** Whether the last forward dropped anything (training mode and p > 0). */
    public boolean isActive() {
        return active;
    }

    @Override
    public INDArray forward(INDArray x) {
        active = isTraining() && p > 0;
        if (!active) {
            return x;
        }
        INDArray mask = buffers.like("mask", x);
        fillMask(mask);
        return buffers.like("y", x).assign(x).muli(mask);
    }

    @Override
    public INDArray backward(INDArray dy) {
        if (!active) {
            return dy;
        }
        return buffers.like("dx", dy).assign(dy).muli(buffers.like("mask", dy));
    }

    /** Multiplies {@code a} in place by a fresh mask (for callers that drop inside a fused computation). */
    public INDArray applyInPlace(INDArray a) {
        active = isTraining() && p > 0;
        if (!active) {
            return a;
        }
        INDArray mask = buffers.like("mask", a);
        fillMask(mask);
        return a.muli(mask);
    }

    /** Multiplies {@code a} in place by the mask of the last {@link #applyInPlace} (its backward). */
    public INDArray backwardInPlace(INDArray a) {
        return active ? a.muli(buffers.like("mask", a)) : a;
    }

    private void fillMask(INDArray mask) {
        double keep = 1.0 / (1 - p);
        int n = Math.toIntExact(mask.length());
        // the mask is this module's own buffer (offset 0), written directly rather than element by element via JNI
        if (mask.dataType() == DataType.DOUBLE) {
            java.nio.DoubleBuffer buf = mask.data().asNioDouble();
            for (int i = 0; i < n; i++) {
                buf.put(i, random.nextDouble() < p ? 0.0 : keep);
            }
        } else {
            java.nio.FloatBuffer buf = mask.data().asNioFloat();
            float k = (float) keep;
            for (int i = 0; i < n; i++) {
                buf.put(i, random.nextDouble() < p ? 0f : k);
            }
        }
    }
}
