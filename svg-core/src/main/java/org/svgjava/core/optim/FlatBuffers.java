package org.svgjava.core.optim;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.svgjava.core.nn.ParameterSet;

/**
 * Direct access to a {@link ParameterSet}'s flat buffer, so optimiser steps are plain loops over memory instead of
 * chains of ND4J ops, each of which would allocate a temporary the size of the model.
 */
final class FlatBuffers {
    private FlatBuffers() {
    }

    /** A float view whose index 0 is element 0 of {@code flat}, obtained once and reused every step. */
    static FloatBuffer floats(INDArray flat) {
        int base = checkContiguous(flat, DataType.FLOAT);
        // asNioFloat() spans the whole underlying allocation, positioned at the view's offset: index from there
        FloatBuffer all = flat.data().asNioFloat().duplicate();
        checkCapacity(flat, base, all.capacity());
        return all.position(base).limit(base + (int) flat.length()).slice();
    }

    static DoubleBuffer doubles(INDArray flat) {
        int base = checkContiguous(flat, DataType.DOUBLE);
        DoubleBuffer all = flat.data().asNioDouble().duplicate();
        checkCapacity(flat, base, all.capacity());
        return all.position(base).limit(base + (int) flat.length()).slice();
    }

    /** FLOAT and DOUBLE are supported: the only types PyTorch would keep master weights and moments in here. */
    static DataType requireSupported(ParameterSet set, String what) {
        DataType t = set.flat().dataType();
        if (t != DataType.FLOAT && t != DataType.DOUBLE) {
            throw new IllegalArgumentException(what + " are " + t + "; only FLOAT and DOUBLE are supported");
        }
        return t;
    }

    /**
     * Makes the host copy current before reading it through NIO; a no-op on the CPU backend, needed on a
     * device backend whose data may live in device memory.
     */
    static void toHost(INDArray flat) {
        Nd4j.getAffinityManager().ensureLocation(flat, org.nd4j.linalg.api.concurrency.AffinityManager.Location.HOST);
    }

    /** Marks the host copy as the newest after writing it through NIO (again a no-op on the CPU backend). */
    static void wroteHost(INDArray flat) {
        Nd4j.getAffinityManager().tagLocation(flat, org.nd4j.linalg.api.concurrency.AffinityManager.Location.HOST);
    }

    private static int checkContiguous(INDArray flat, DataType type) {
        if (flat.dataType() != type) {
            throw new IllegalArgumentException("expected a " + type + " buffer, got " + flat.dataType());
        }
        if (flat.rank() != 1 || (flat.length() > 1 && flat.stride(0) != 1)) {
            throw new IllegalArgumentException("expected a contiguous rank-1 buffer, got shape "
                    + java.util.Arrays.toString(flat.shape()) + " stride " + java.util.Arrays.toString(flat.stride()));
        }
        if (flat.length() > Integer.MAX_VALUE - flat.offset()) {
            // NIO buffers are int-indexed; 2^31 fp32 parameters (8 GiB) is far beyond any SVG model
            throw new IllegalArgumentException("buffer of " + flat.length() + " elements is too large for NIO access");
        }
        return Math.toIntExact(flat.offset());
    }

    private static void checkCapacity(INDArray flat, int base, int capacity) {
        if (base + flat.length() > capacity) {
            throw new IllegalStateException("NIO view of " + capacity + " elements cannot hold offset " + base
                    + " + length " + flat.length() + " (unexpected ND4J buffer layout)");
        }
    }
}
