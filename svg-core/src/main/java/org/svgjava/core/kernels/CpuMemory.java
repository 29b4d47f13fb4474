package org.svgjava.core.kernels;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import org.bytedeco.javacpp.BytePointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Direct access to the native memory behind an INDArray on the CPU backend.
 *
 * <p>Each array gets its own NIO view that starts at its first element and spans the elements its strides reach,
 * made from the native address. ND4J's {@code data().asNioFloat()} views the whole underlying allocation instead,
 * which fails past 2^31 bytes: a parameter deep inside a SiT-XL flat buffer (2.7 GB) could not be reached.
 * Kernels index the view from 0 with absolute bulk gets and puts.
 */
public final class CpuMemory {
    private CpuMemory() {
    }

    static FloatBuffer floats(INDArray a) {
        return bytes(a, 0, span(a)).asFloatBuffer();
    }

    static DoubleBuffer doubles(INDArray a) {
        return bytes(a, 0, span(a)).asDoubleBuffer();
    }

    /**
     * Native-order bytes of elements {@code [from, from + count)} counted from the array's first element in memory
     * order; {@code count * width} must stay below 2^31. The array must stay reachable while the view is used: the
     * view does not keep its memory alive.
     */
    public static ByteBuffer bytes(INDArray a, long from, long count) {
        long width = a.dataType().width();
        long bytes = count * width;
        if (bytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("an NIO view holds at most 2^31 - 1 bytes, asked for " + bytes);
        }
        BytePointer p = first(a).getPointer(from * width);
        p.capacity(bytes);
        p.limit(bytes);
        return p.asBuffer().order(ByteOrder.nativeOrder());
    }

    /** The native address of the array's first element. */
    static BytePointer first(INDArray a) {
        // addressPointer() is the data buffer's first element; the array may start further in
        return new BytePointer(a.data().addressPointer())
                .getPointer((a.offset() - a.data().offset()) * a.dataType().width());
    }

    /** Elements from the first to the last one the strides reach (non-negative strides). */
    private static long span(INDArray a) {
        long span = 1;
        for (int i = 0; i < a.rank(); i++) {
            span += (a.size(i) - 1) * Math.abs(a.stride(i));
        }
        return a.length() == 0 ? 0 : span;
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
        // one NIO view holds at most 2^31 - 1 bytes (no single activation or parameter of an SVG model is that big)
        return span * a.dataType().width() <= Integer.MAX_VALUE;
    }
}
