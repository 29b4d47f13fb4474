package org.svgjava.core.kernels;

import java.util.HashMap;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Work arrays of the calling thread whose contents never outlive one call (the padded images and wide outputs of
 * {@link CpuConv3x3}, a convolution's patch matrix and its gradient), shared by every layer the thread runs: one
 * array per name and type, of the largest size requested so far, where a buffer per layer held gigabytes at 256 px
 * (a 3x3 conv over 128 channels has a 300 MB patch matrix per image). Arrays only grow (by an eighth beyond the
 * request), so a forward or training step allocates nothing after the first.
 */
public final class NativeScratch {
    private static final ThreadLocal<Map<String, INDArray>> LOCAL = ThreadLocal.withInitial(HashMap::new);

    private NativeScratch() {
    }

    /** A flat array of at least {@code n} elements; its contents are whatever the last user left. */
    static INDArray array(String name, DataType type, long n) {
        Map<String, INDArray> mine = LOCAL.get();
        String key = name + "/" + type;
        INDArray a = mine.get(key);
        if (a == null || a.length() < n) {
            a = Nd4j.createUninitialized(type, new long[] {n + (n >> 3)}, 'c');
            mine.put(key, a);
        }
        return a;
    }

    /** A C-order {@code [rows, cols]} view of the thread's array {@code name}, holding what its last user left. */
    public static INDArray matrix(String name, DataType type, long rows, long cols) {
        long n = rows * cols;
        INDArray flat = array(name, type, n);
        INDArray head = flat.length() == n ? flat : flat.get(NDArrayIndex.interval(0, n));
        return head.reshape('c', rows, cols);
    }
}
