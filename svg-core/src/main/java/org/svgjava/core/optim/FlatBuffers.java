package org.svgjava.core.optim;

import java.nio.ByteBuffer;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.svgjava.core.kernels.CpuMemory;
import org.svgjava.core.nn.ParameterSet;

/**
 * Direct access to a {@link ParameterSet}'s flat buffer, so optimiser steps are plain loops over memory instead of
 * chains of ND4J ops, each of which would allocate a temporary the size of the model.
 */
final class FlatBuffers {
    private FlatBuffers() {
    }

    /**
     * Elements per NIO segment. A direct NIO buffer holds at most 2^31 - 1 bytes, and ND4J's {@code asNioFloat}
     * silently truncates larger allocations, so a flat buffer of an XL model (676M floats, 2.7 GB) is read as
     * segments of 2^27 elements (at most 1 GiB even for doubles). {@link ChunkedLoop} never lets a piece cross a
     * segment boundary, so a loop body reads one segment only.
     */
    static final int SEGMENT_SHIFT = 27;

    /** The segment holding element {@code index}. */
    static int segment(int index) {
        return index >>> SEGMENT_SHIFT;
    }

    /** The position of element {@code index} in its segment. */
    static int local(int index) {
        return index & ((1 << SEGMENT_SHIFT) - 1);
    }

    /** Float segments covering {@code flat} (segment k holds elements from k * 2^27), obtained once per optimiser. */
    static FloatBuffer[] floats(INDArray flat) {
        ByteBuffer[] bytes = segments(flat, DataType.FLOAT);
        FloatBuffer[] out = new FloatBuffer[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            out[i] = bytes[i].asFloatBuffer();
        }
        return out;
    }

    static DoubleBuffer[] doubles(INDArray flat) {
        ByteBuffer[] bytes = segments(flat, DataType.DOUBLE);
        DoubleBuffer[] out = new DoubleBuffer[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            out[i] = bytes[i].asDoubleBuffer();
        }
        return out;
    }

    private static ByteBuffer[] segments(INDArray flat, DataType type) {
        checkContiguous(flat, type);
        long n = flat.length();
        int count = (int) ((n + (1L << SEGMENT_SHIFT) - 1) >>> SEGMENT_SHIFT);
        ByteBuffer[] out = new ByteBuffer[count];
        for (int i = 0; i < count; i++) {
            long from = (long) i << SEGMENT_SHIFT;
            out[i] = CpuMemory.bytes(flat, from, Math.min(1L << SEGMENT_SHIFT, n - from));
        }
        return out;
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

    private static void checkContiguous(INDArray flat, DataType type) {
        if (flat.dataType() != type) {
            throw new IllegalArgumentException("expected a " + type + " buffer, got " + flat.dataType());
        }
        if (flat.rank() != 1 || (flat.length() > 1 && flat.stride(0) != 1)) {
            throw new IllegalArgumentException("expected a contiguous rank-1 buffer, got shape "
                    + java.util.Arrays.toString(flat.shape()) + " stride " + java.util.Arrays.toString(flat.stride()));
        }
        if (flat.length() > Integer.MAX_VALUE) {
            // loops index elements with int; 2^31 parameters (8 GiB of fp32) is far beyond any SVG model
            throw new IllegalArgumentException("buffer of " + flat.length() + " elements is too large");
        }
    }
}
