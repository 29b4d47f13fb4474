package org.svgjava.diffusion.flow;

import org.nd4j.linalg.api.ndarray.INDArray;

/** Integrates a velocity field from noise (t = 0) to data (t = 1). */
public interface Sampler {
    /** Returns the final state; {@code z0} is not modified. */
    INDArray sample(VelocityField field, INDArray z0);

    /** Velocity evaluations (NFE per batch) of the last call; with CFG each costs one batched double forward. */
    int evaluations();
}
