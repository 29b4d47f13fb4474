package org.svgjava.core.kernels;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Where a kernel gets the work arrays that only some implementations need: asked for by key, so a layer that
 * passes its reusable buffers allocates them once, and only when the implementation in use asks (the CPU kernels
 * keep one head's worth per thread where the portable ones want whole arrays).
 */
@FunctionalInterface
public interface WorkArrays {
    /** Fresh arrays on every request, for callers that keep none. */
    WorkArrays FRESH = (key, type, shape) -> Nd4j.create(type, shape);

    /** An array of this type and shape whose contents the kernel may overwrite; the same key gives the same role. */
    INDArray get(String key, DataType type, long... shape);
}
