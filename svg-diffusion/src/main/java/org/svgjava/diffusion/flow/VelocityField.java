package org.svgjava.diffusion.flow;

import org.nd4j.linalg.api.ndarray.INDArray;

/** A velocity field {@code v(z, t)} for a batch of states, time running from 0 (noise) to 1 (data). */
@FunctionalInterface
public interface VelocityField {
    /**
     * @param step the index of the sampling step asking (some guidance schedules depend on it), or -1 for solvers
     *             with no fixed grid
     * @return the velocity, same shape as z; it may be a buffer the field reuses on its next call
     */
    INDArray at(INDArray z, double t, int step);
}
