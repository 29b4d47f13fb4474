package org.svgjava.core.nn;

import org.nd4j.linalg.api.ndarray.INDArray;

/** A module with one input and one output. */
public interface Layer {
    /** The output; valid until this layer runs forward again. */
    INDArray forward(INDArray x);

    /**
     * Given dL/d(output) of the last forward, returns dL/d(input) and adds the parameter gradients into the
     * module's gradient views.
     */
    INDArray backward(INDArray dy);
}
