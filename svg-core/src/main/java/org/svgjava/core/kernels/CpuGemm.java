package org.svgjava.core.kernels;

import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.openblas.global.openblas_nolapack;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Row-major float GEMM {@code C = A B + beta C} straight into OpenBLAS (the library ND4J's CPU backend calls), on
 * sub-matrices of the arrays' native memory given by an element offset and a leading dimension. ND4J copies a
 * strided view before its own GEMM; here any window of a buffer is an operand as it lies.
 */
final class CpuGemm {
    private static final int ROW_MAJOR = 101;
    private static final int NO_TRANS = 111;

    /** An operand: an array's memory from element {@code offset} (as in {@link CpuMemory}), rows {@code ld} apart. */
    record Operand(FloatPointer base, long offset, int ld) {
        static Operand of(INDArray a, long offset, int ld) {
            return new Operand(new FloatPointer(CpuMemory.floats(a)), CpuMemory.base(a) + offset, ld);
        }

        Operand at(long delta) {
            return new Operand(base, offset + delta, ld);
        }

        FloatPointer pointer() {
            return new FloatPointer(base).position(offset);
        }
    }

    private CpuGemm() {
    }

    /** {@code c[m x n] = a[m x k] b[k x n] + beta c}. */
    static void gemm(int m, int n, int k, Operand a, Operand b, float beta, Operand c) {
        openblas_nolapack.cblas_sgemm(ROW_MAJOR, NO_TRANS, NO_TRANS, m, n, k, 1f, a.pointer(), a.ld(), b.pointer(),
                b.ld(), beta, c.pointer(), c.ld());
    }
}
