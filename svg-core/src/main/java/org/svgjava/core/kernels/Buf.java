package org.svgjava.core.kernels;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A dense array's native memory, addressed by the element index of the array (not of the underlying allocation).
 * Made once per kernel call and shared by its threads: only absolute gets and puts are used, which leave the NIO
 * buffer's position untouched and are safe to run concurrently on disjoint ranges.
 */
final class Buf {
    final FloatBuffer f;
    final DoubleBuffer d;

    private Buf(FloatBuffer f, DoubleBuffer d) {
        this.f = f;
        this.d = d;
    }

    /** The memory of a FLOAT or DOUBLE array that {@link CpuMemory#usable} accepted; null for null. */
    static Buf of(INDArray a) {
        if (a == null) {
            return null;
        }
        return a.dataType() == DataType.DOUBLE ? new Buf(null, CpuMemory.doubles(a)) : new Buf(CpuMemory.floats(a), null);
    }

    void get(long at, float[] dst, int len) {
        f.get((int) at, dst, 0, len);
    }

    void get(long at, double[] dst, int len) {
        d.get((int) at, dst, 0, len);
    }

    void put(long at, float[] src, int len) {
        f.put((int) at, src, 0, len);
    }

    void put(long at, double[] src, int len) {
        d.put((int) at, src, 0, len);
    }

    /** One element as double, whatever the type. */
    double get(long at) {
        return f != null ? f.get((int) at) : d.get((int) at);
    }

    void put(long at, double v) {
        if (f != null) {
            f.put((int) at, (float) v);
        } else {
            d.put((int) at, v);
        }
    }
}
