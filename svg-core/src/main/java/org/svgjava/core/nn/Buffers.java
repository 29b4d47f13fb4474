package org.svgjava.core.nn;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.svgjava.core.kernels.WorkArrays;

/**
 * Named arrays a module reuses from call to call. ND4J 1.0.0-M2.1 does not return native memory on
 * {@code close()}, and a fresh allocation costs page faults plus a memset, so a training or sampling step must not
 * allocate: each buffer is created on first use and again only when the requested shape or type changes.
 */
public final class Buffers implements WorkArrays {
    private final Map<String, INDArray> arrays = new HashMap<>();

    /** The buffer called {@code key} with this type and shape; contents are whatever the last user left. */
    @Override
    public INDArray get(String key, DataType type, long... shape) {
        INDArray a = arrays.get(key);
        if (a == null || a.dataType() != type || !Arrays.equals(a.shape(), shape)) {
            a = Nd4j.createUninitialized(type, shape, 'c');
            arrays.put(key, a);
        }
        return a;
    }

    /** Like {@link #get} with the type and shape of {@code like}. */
    public INDArray like(String key, INDArray like) {
        return get(key, like.dataType(), like.shape());
    }

    /** Total bytes held, for memory reports. */
    public long bytes() {
        long n = 0;
        for (INDArray a : arrays.values()) {
            n += a.length() * a.dataType().width();
        }
        return n;
    }
}
