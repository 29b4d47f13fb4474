package org.svgjava.core.kernels;

import static org.bytedeco.openblas.global.openblas_nolapack.CblasNoTrans;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasRowMajor;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasTrans;
import static org.bytedeco.openblas.global.openblas_nolapack.cblas_sgemm;

import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.openblas.presets.openblas_nolapack;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Row-major single-precision GEMM called straight into the OpenBLAS that ND4J's CPU backend loads, on sub-matrices
 * of FLOAT arrays' native memory given by an element offset and a leading dimension: ND4J copies a strided view
 * before its own GEMM, here any window of a buffer is an operand as it lies (the shifted windows of a padded image
 * in {@link CpuConv3x3}, one head of a {@code [BH, T, D]} array in {@link CpuAttention}).
 *
 * <p>With {@link #singleThreaded}, several small products issued from the worker threads at once each run whole on
 * their own thread: ND4J's batched matmul splits every 256x256x64 attention product over OpenBLAS's threads and
 * reached a quarter of the GEMM peak; one product per thread doubled that (101 -> 208 GFLOP/s on the 2-core
 * reference machine).
 */
final class Sgemm {
    /** An operand: an array's memory from element {@code offset} of the array, rows {@code ld} elements apart. */
    record Operand(FloatPointer base, long offset, int ld) {
        static Operand of(INDArray a, long offset, int ld) {
            if (a.dataType() != DataType.FLOAT) {
                throw new IllegalArgumentException("Sgemm works on FLOAT arrays, got " + a.dataType());
            }
            return new Operand(new FloatPointer(CpuMemory.first(a)), offset, ld);
        }

        Operand at(long delta) {
            return new Operand(base, offset + delta, ld);
        }

        Operand withLd(int newLd) {
            return new Operand(base, offset, newLd);
        }

        FloatPointer pointer() {
            return base.getPointer(offset);
        }
    }

    private Sgemm() {
    }

    /** {@code c[m x n] = alpha op(a) op(b) + beta c} with {@code op(a)} {@code [m x k]} and {@code op(b)} {@code [k x n]}. */
    static void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha, Operand a, Operand b, float beta,
                     Operand c) {
        cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans, m, n, k,
                alpha, a.pointer(), a.ld(), b.pointer(), b.ld(), beta, c.pointer(), c.ld());
    }

    /**
     * Runs {@code body} with OpenBLAS limited to one thread, so that products issued from several worker threads
     * at once each run whole on their own thread; the previous thread count is restored afterwards.
     */
    static void singleThreaded(Runnable body) {
        // what ND4J set at start-up (the preset remembers the last count set through it; -1 if none was)
        int set = Nd4j.factory().blas().getMaxThreads();
        int restore = set >= 1 ? set : Runtime.getRuntime().availableProcessors();
        setThreads(1);
        try {
            body.run();
        } finally {
            setThreads(restore);
        }
    }

    /**
     * OpenBLAS's own setter, looked up once: the preset's {@code blas_set_num_threads} (what ND4J calls) searches
     * the loaded libraries for four symbols on every call, which showed up in profiles at two calls per block.
     */
    private static final openblas_nolapack.SetNumThreads SET_THREADS = setter();

    private static openblas_nolapack.SetNumThreads setter() {
        Loader.load(org.bytedeco.openblas.global.openblas_nolapack.class);
        Pointer p = Loader.addressof("openblas_set_num_threads");
        // the no-argument constructor allocates the function-pointer holder that put() fills; the public one only
        // casts an existing holder
        return p == null || p.isNull() ? null : new openblas_nolapack.SetNumThreads() { }.put(p);
    }

    private static void setThreads(int n) {
        if (SET_THREADS != null) {
            SET_THREADS.call(n);
        } else {
            Nd4j.factory().blas().setMaxThreads(n);
        }
    }
}
