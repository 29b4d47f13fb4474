package org.svgjava.core.testing;

import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What {@link GradientCheck} needs of a layer: a forward pass, and a backward pass that returns the input gradient
 * and adds the parameter gradients into {@link #gradients()}.
 */
public interface Differentiable {
    INDArray forward(INDArray input);

    INDArray backward(INDArray gradOutput);

    /** Parameters by name; the checker perturbs them in place. */
    default Map<String, INDArray> parameters() {
        return Map.of();
    }

    /** Gradient accumulators with the same names and shapes as {@link #parameters()}. */
    default Map<String, INDArray> gradients() {
        return Map.of();
    }
}
