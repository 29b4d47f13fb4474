package org.svgjava.core.nn;

import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Views between the N-d layouts of layers and the 2-D layouts of matrix products. */
final class Shapes {
    private Shapes() {
    }

    /** {@code [..., d]} as {@code [N, d]}, a view (the array must be C-contiguous). */
    static INDArray rows(INDArray x, long d) {
        if (x.size(x.rank() - 1) != d) {
            throw new IllegalArgumentException("last dimension of " + Arrays.toString(x.shape()) + " must be " + d);
        }
        return x.reshape('c', x.length() / d, d);
    }

    /** The shape of {@code x} with its last dimension replaced by {@code d}. */
    static long[] withLast(INDArray x, long d) {
        long[] s = x.shape().clone();
        s[s.length - 1] = d;
        return s;
    }
}
