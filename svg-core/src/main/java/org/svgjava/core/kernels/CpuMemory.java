package org.svgjava.core.kernels;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Direct access to the native memory behind an INDArray on the CPU backend.
 *
 * <p>{@code data().asNioFloat()} returns a zero-copy view of the whole underlying allocation (for a view array
 * that is the parent's allocation), so element {@code i} of a dense C-order array lives at absolute index
 * {@code offset() + i} of that buffer. Every kernel addresses memory that way, with absolute bulk gets and puts.
 */
final class CpuMemory {
    private CpuMemory() {
    }

    static FloatBuffer floats(INDArray a) {
        return a.data().asNioFloat();
    }

    static DoubleBuffer doubles(INDArray a) {
        return a.data().asNioDouble();
    }

    /** Absolute index of the array's first element in {@link #floats}/{@link #doubles}. */
    static int base(INDArray a) {
        return (int) a.offset();
    }

    /**
     * True when every non-null array is of type {@code type}, has C-order strides (size-1 dimensions ignored, so
     * {@code [N,1]} vectors of either ordering qualify) and lies inside an int-indexable NIO buffer.
     */
    static boolean usable(DataType type, INDArray... arrays) {
        for (INDArray a : arrays) {
            if (a != null && (a.dataType() != type || !dense(a) || !fitsBuffer(a, a.length()))) {
                return false;
            }
        }
        return true;
    }

    /** Memory order equals C order of the logical indices, with no gaps. */
    static boolean dense(INDArray a) {
        if (a.isEmpty() || a.isCompressed()) {
            return false;
        }
        long[] shape = a.shape();
        long[] stride = a.stride();
        long expected = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            if (shape[i] != 1 && stride[i] != expected) {
                return false;
            }
            expected *= shape[i];
        }
        return true;
    }

    /**
     * Row stride of {@code a} read as {@code [rows, cols]} with contiguous rows that may be spaced apart (a column
     * block of a wider matrix, e.g. one chunk of an adaLN projection), or -1 when it is not laid out that way.
     */
    static long rowStride(INDArray a, DataType type, long rows, long cols) {
        if (a.dataType() != type || a.length() != rows * cols || a.isEmpty() || a.isCompressed()) {
            return -1;
        }
        long stride;
        if (dense(a)) {
            stride = cols;
        } else if (a.rank() == 2 && a.size(0) == rows && a.size(1) == cols && (cols == 1 || a.stride(1) == 1)
                && a.stride(0) >= cols) {
            stride = a.stride(0);
        } else {
            return -1;
        }
        return fitsBuffer(a, (rows - 1) * stride + cols) ? stride : -1;
    }

    private static boolean fitsBuffer(INDArray a, long span) {
        long end = a.offset() + span;
        // NIO views stop at 2^31 - 1 bytes: a view deeper into a larger allocation (a SiT-XL flat parameter buffer
        // is 2.7 GB) cannot be reached that way and goes to the portable kernels
        if (end * a.dataType().width() > Integer.MAX_VALUE) {
            return false;
        }
        long capacity = a.dataType() == DataType.DOUBLE ? doubles(a).capacity()
                : a.dataType() == DataType.FLOAT ? floats(a).capacity() : -1;
        return end <= capacity;
    }
}
