package org.svgjava.core.kernels;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Native float work arrays of the calling thread, shared by every layer that calls the kernels: the padded images
 * and wide outputs of {@link CpuConv3x3}. A model's convolutions run one after another, so one array per slot of
 * the largest size any of them needs serves all of them, where a buffer per layer would hold gigabytes at 256 px.
 * Arrays only grow (by an eighth beyond the request), so a forward pass allocates nothing after the first.
 */
final class NativeScratch {
    static final int SLOTS = 3;
    private static final ThreadLocal<INDArray[]> LOCAL = ThreadLocal.withInitial(() -> new INDArray[SLOTS]);

    private NativeScratch() {
    }

    /** A flat FLOAT array of at least {@code n} elements; its contents are whatever the last user left. */
    static INDArray floats(int slot, long n) {
        INDArray[] mine = LOCAL.get();
        INDArray a = mine[slot];
        if (a == null || a.length() < n) {
            a = Nd4j.createUninitialized(DataType.FLOAT, new long[] {n + (n >> 3)}, 'c');
            mine[slot] = a;
        }
        return a;
    }
}
