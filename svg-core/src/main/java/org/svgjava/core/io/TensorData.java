package org.svgjava.core.io;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * One tensor of a weight file: dtype, shape and its raw little-endian C-order bytes. The bytes may be a
 * memory-mapped region of the file; nothing is converted until a {@code to...} method asks for numbers.
 */
public final class TensorData {
    private final DType dtype;
    private final long[] shape;
    private final ByteBuffer bytes;

    private TensorData(DType dtype, long[] shape, ByteBuffer bytes) {
        this.dtype = dtype;
        this.shape = shape;
        this.bytes = bytes;
    }

    /**
     * Wraps bytes that hold exactly {@code numel(shape) * dtype.byteSize()} bytes between position and limit.
     *
     * @throws IllegalArgumentException when the byte count does not match the shape
     */
    public static TensorData of(DType dtype, long[] shape, ByteBuffer bytes) {
        long expected = numel(shape) * dtype.byteSize();
        if (bytes.remaining() != expected) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " of " + dtype + " needs "
                    + expected + " bytes, got " + bytes.remaining());
        }
        return new TensorData(dtype, shape.clone(), bytes.slice().order(ByteOrder.LITTLE_ENDIAN));
    }

    /** Copies an array (any ND4J type with a weight-file dtype) into C-order little-endian bytes. */
    public static TensorData of(INDArray array) {
        DType dtype = DType.fromNd4j(array.dataType());
        long n = array.length();
        ByteBuffer buf = ByteBuffer.allocate(Math.toIntExact(n * dtype.byteSize())).order(ByteOrder.LITTLE_ENDIAN);
        INDArray flat = array.dup('c').reshape(n);
        switch (dtype) {
            case F32 -> buf.asFloatBuffer().put(flat.toFloatVector());
            case F64 -> buf.asDoubleBuffer().put(flat.toDoubleVector());
            case I64 -> buf.asLongBuffer().put(flat.toLongVector());
            case I32 -> buf.asIntBuffer().put(flat.toIntVector());
            case F16, BF16 -> {
                float[] v = flat.castTo(DataType.FLOAT).toFloatVector();
                for (int i = 0; i < v.length; i++) {
                    buf.putShort(2 * i, dtype == DType.F16 ? Half.fromFloat(v[i]) : Half.bf16FromFloat(v[i]));
                }
            }
            default -> {
                long[] v = flat.castTo(DataType.LONG).toLongVector();
                for (int i = 0; i < v.length; i++) {
                    putInteger(buf, dtype, i, v[i]);
                }
            }
        }
        return new TensorData(dtype, array.shape().clone(), buf);
    }

    /** The same bytes under another shape with the same element count (PyTorch's {@code view}). */
    public TensorData reshape(long... newShape) {
        if (numel(newShape) != numel()) {
            throw new IllegalArgumentException("cannot view " + this + " as " + Arrays.toString(newShape));
        }
        return new TensorData(dtype, newShape.clone(), bytes);
    }

    /** Concatenation along the first dimension; all parts must share dtype and trailing dimensions. */
    public static TensorData concat(java.util.List<TensorData> parts) {
        TensorData first = parts.get(0);
        long rows = 0;
        long total = 0;
        for (TensorData p : parts) {
            long[] s = p.shape;
            if (p.dtype != first.dtype || s.length != first.shape.length || s.length == 0
                    || !Arrays.equals(Arrays.copyOfRange(s, 1, s.length), Arrays.copyOfRange(first.shape, 1, s.length))) {
                throw new IllegalArgumentException("cannot concatenate " + p + " with " + first);
            }
            rows += s[0];
            total += p.byteSize();
        }
        ByteBuffer out = ByteBuffer.allocate(Math.toIntExact(total)).order(ByteOrder.LITTLE_ENDIAN);
        for (TensorData p : parts) {
            out.put(p.bytes());
        }
        out.flip();
        long[] shape = first.shape.clone();
        shape[0] = rows;
        return new TensorData(first.dtype, shape, out);
    }

    public static long numel(long[] shape) {
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    public DType dtype() {
        return dtype;
    }

    public long[] shape() {
        return shape.clone();
    }

    public long numel() {
        return numel(shape);
    }

    public long byteSize() {
        return bytes.remaining();
    }

    /** A read-only little-endian view of the raw bytes. */
    public ByteBuffer bytes() {
        return bytes.asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Element {@code i} (C order) as a double; exact for every dtype except I64 beyond 2^53. */
    public double getDouble(long i) {
        int p = Math.toIntExact(i * dtype.byteSize());
        return switch (dtype) {
            case F64 -> bytes.getDouble(p);
            case F32 -> bytes.getFloat(p);
            case F16 -> Half.toFloat(bytes.getShort(p));
            case BF16 -> Half.bf16ToFloat(bytes.getShort(p));
            default -> getInteger(p);
        };
    }

    public float[] toFloatArray() {
        int n = Math.toIntExact(numel());
        float[] out = new float[n];
        if (dtype == DType.F32) {
            bytes.duplicate().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
        } else {
            for (int i = 0; i < n; i++) {
                out[i] = (float) getDouble(i);
            }
        }
        return out;
    }

    public double[] toDoubleArray() {
        int n = Math.toIntExact(numel());
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            out[i] = getDouble(i);
        }
        return out;
    }

    public long[] toLongArray() {
        int n = Math.toIntExact(numel());
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
            out[i] = dtype.isFloatingPoint() ? (long) getDouble(i) : getInteger(i * dtype.byteSize());
        }
        return out;
    }

    /** The tensor as an ND4J array of its own type (BF16 stays BFLOAT16, I64 stays LONG, ...). */
    public INDArray toINDArray() {
        return toINDArray(dtype.nd4j());
    }

    /** The tensor converted to {@code type}; the usual call for model weights is {@code toINDArray(FLOAT)}. */
    public INDArray toINDArray(DataType type) {
        long[] s = shape.clone();
        INDArray out;
        if (type == DataType.FLOAT) {
            out = Nd4j.create(toFloatArray(), s, 'c');
        } else if (type == DataType.DOUBLE) {
            out = Nd4j.create(toDoubleArray(), s, 'c');
        } else if (type == DataType.LONG || type == DataType.INT) {
            out = Nd4j.createFromArray(toLongArray()).reshape('c', s).castTo(type);
        } else if (dtype.isFloatingPoint()) {
            out = Nd4j.create(toFloatArray(), s, 'c').castTo(type);
        } else {
            out = Nd4j.createFromArray(toLongArray()).reshape('c', s).castTo(type);
        }
        return out;
    }

    private long getInteger(int p) {
        return switch (dtype) {
            case I64 -> bytes.getLong(p);
            case I32 -> bytes.getInt(p);
            case I16 -> bytes.getShort(p);
            case I8 -> bytes.get(p);
            case U8, BOOL -> bytes.get(p) & 0xff;
            default -> throw new IllegalStateException(dtype + " is not an integer type");
        };
    }

    private static void putInteger(ByteBuffer buf, DType dtype, int i, long v) {
        int p = i * dtype.byteSize();
        switch (dtype) {
            case I16 -> buf.putShort(p, (short) v);
            case I8, U8 -> buf.put(p, (byte) v);
            case BOOL -> buf.put(p, (byte) (v != 0 ? 1 : 0));
            default -> throw new IllegalStateException(dtype + " is not a small integer type");
        }
    }

    @Override
    public String toString() {
        return dtype + Arrays.toString(shape);
    }
}
