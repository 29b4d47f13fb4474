package org.svgjava.core.nn;

import java.util.Random;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Inverted dropout: in training, each element is zeroed with probability p and the rest scaled by 1/(1-p); in eval
 * the identity. The mask comes from a seeded {@link Random}, so a run is reproducible.
 */
public final class Dropout extends Module implements Layer {
    private final double p;
    private final Random random;
    private boolean active;

    public Dropout(double p, long seed) {
        if (p < 0 || p >= 1) {
            throw new IllegalArgumentException("dropout probability must be in [0, 1), got " + p);
        }
        this.p = p;
        this.random = new Random(seed);
    }

    @Override
    public INDArray forward(INDArray x) {
        active = isTraining() && p > 0;
        if (!active) {
            return x;
        }
        INDArray mask = buffers.like("mask", x);
        double keep = 1.0 / (1 - p);
        int n = Math.toIntExact(mask.length());
        // the mask is this module's own buffer (offset 0), written directly rather than element by element via JNI
        if (mask.dataType() == org.nd4j.linalg.api.buffer.DataType.DOUBLE) {
            java.nio.DoubleBuffer buf = mask.data().asNioDouble();
            for (int i = 0; i < n; i++) {
                buf.put(i, random.nextDouble() < p ? 0.0 : keep);
            }
        } else {
            java.nio.FloatBuffer buf = mask.data().asNioFloat();
            for (int i = 0; i < n; i++) {
                buf.put(i, random.nextDouble() < p ? 0f : (float) keep);
            }
        }
        INDArray y = buffers.like("y", x);
        return y.assign(x).muli(mask);
    }

    @Override
    public INDArray backward(INDArray dy) {
        if (!active) {
            return dy;
        }
        return buffers.like("dx", dy).assign(dy).muli(buffers.like("mask", dy));
    }
}
