package org.svgjava.core.io;

import java.util.Locale;
import org.nd4j.linalg.api.buffer.DataType;

/** Element types of weight files, named as safetensors names them; torch storages map onto the same set. */
public enum DType {
    F64(8, DataType.DOUBLE, "DoubleStorage"),
    F32(4, DataType.FLOAT, "FloatStorage"),
    F16(2, DataType.HALF, "HalfStorage"),
    BF16(2, DataType.BFLOAT16, "BFloat16Storage"),
    I64(8, DataType.LONG, "LongStorage"),
    I32(4, DataType.INT, "IntStorage"),
    I16(2, DataType.SHORT, "ShortStorage"),
    I8(1, DataType.BYTE, "CharStorage"),
    U8(1, DataType.UBYTE, "ByteStorage"),
    BOOL(1, DataType.BOOL, "BoolStorage");

    private final int byteSize;
    private final DataType nd4j;
    private final String torchStorage;

    DType(int byteSize, DataType nd4j, String torchStorage) {
        this.byteSize = byteSize;
        this.nd4j = nd4j;
        this.torchStorage = torchStorage;
    }

    public int byteSize() {
        return byteSize;
    }

    public DataType nd4j() {
        return nd4j;
    }

    public boolean isFloatingPoint() {
        return this == F64 || this == F32 || this == F16 || this == BF16;
    }

    /** The name of the torch storage class ({@code torch.FloatStorage} -> "FloatStorage"). */
    public String torchStorage() {
        return torchStorage;
    }

    /** @return the dtype for a safetensors dtype string, or null when it is not one this library reads */
    public static DType fromSafetensors(String name) {
        if (name == null) {
            return null;
        }
        try {
            return valueOf(name.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** @return the dtype of a torch storage class name, or null when it is not one this library reads */
    public static DType fromTorchStorage(String storageClass) {
        for (DType t : values()) {
            if (t.torchStorage.equals(storageClass)) {
                return t;
            }
        }
        return null;
    }

    public static DType fromNd4j(DataType type) {
        for (DType t : values()) {
            if (t.nd4j == type) {
                return t;
            }
        }
        throw new IllegalArgumentException("no weight-file dtype for ND4J type " + type);
    }
}
