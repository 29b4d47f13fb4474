package org.svgjava.core.nn;

import java.util.HashMap;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Work arrays whose contents never outlive one call (a convolution's patch matrix and its gradient), shared by every
 * layer the calling thread runs: one array per name and type, of the largest size requested so far, where a buffer
 * per layer held gigabytes at 256 px (a 3x3 conv over 128 channels has a 300 MB patch matrix per image). Arrays only
 * grow, so a step allocates nothing after the first.
 */
final class SharedScratch {
    private static final ThreadLocal<Map<String, INDArray>> LOCAL = ThreadLocal.withInitial(HashMap::new);

    private SharedScratch() {
    }

    /** A C-order {@code [rows, cols]} view of the thread's array {@code name}, holding what its last user left. */
    static INDArray matrix(String name, DataType type, long rows, long cols) {
        long n = rows * cols;
        Map<String, INDArray> mine = LOCAL.get();
        String key = name + "/" + type;
        INDArray flat = mine.get(key);
        if (flat == null || flat.length() < n) {
            flat = Nd4j.createUninitialized(type, new long[] {n}, 'c');
            mine.put(key, flat);
        }
        INDArray head = flat.length() == n ? flat : flat.get(NDArrayIndex.interval(0, n));
        return head.reshape('c', rows, cols);
    }
}
