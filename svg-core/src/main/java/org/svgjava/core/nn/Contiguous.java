package org.svgjava.core.nn;

import org.nd4j.linalg.api.ndarray.INDArray;

/** Layers that loop over an array's memory need it C-ordered and dense: a copy only when it is not. */
final class Contiguous {
    private Contiguous() {
    }

    static INDArray of(INDArray a) {
        return a.ordering() == 'c' && a.elementWiseStride() == 1 ? a : a.dup('c');
    }
}
