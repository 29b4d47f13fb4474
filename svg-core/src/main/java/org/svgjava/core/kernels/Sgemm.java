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
 * Row-major single-precision GEMM called straight into the OpenBLAS that ND4J's CPU backend loads, on the native
 * memory of FLOAT arrays, with leading dimensions of the caller's choice.
 *
 * <p>Why not {@code Nd4j.matmul}: many small products (one per attention head, 256x256x64) run at a quarter of
 * the GEMM peak there, because each one is split over OpenBLAS's threads. Running whole products single-threaded,
 * one per worker thread, doubles their speed (measured 101 -> 208 GFLOP/s on the 2-core reference machine).
 */
public final class Sgemm {
    private Sgemm() {
    }

    /** The memory of {@code a} from its first element (a C-contiguous FLOAT array on the CPU backend). */
    public static FloatPointer pointer(INDArray a) {
        if (a.dataType() != DataType.FLOAT) {
            throw new IllegalArgumentException("Sgemm works on FLOAT arrays, got " + a.dataType());
        }
        return new FloatPointer(a.data().addressPointer()).getPointer(a.offset() - a.data().offset());
    }

    /**
     * {@code C[m,n] = alpha op(A) op(B) + beta C}, row-major; {@code op(A)} is {@code [m,k]} and {@code op(B)}
     * {@code [k,n]}. The offsets are in elements from each pointer.
     */
    public static void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                            FloatPointer a, long aOffset, int lda, FloatPointer b, long bOffset, int ldb,
                            float beta, FloatPointer c, long cOffset, int ldc) {
        cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans, m, n, k,
                alpha, a.getPointer(aOffset), lda, b.getPointer(bOffset), ldb, beta, c.getPointer(cOffset), ldc);
    }

    /**
     * Runs {@code body} with OpenBLAS limited to one thread, so that products issued from several worker threads
     * at once each run whole on their own thread; the previous thread count is restored afterwards.
     */
    public static void singleThreaded(Runnable body) {
        // what ND4J set at start-up (the preset remembers the last count set through it; -1 if none was)
        int before = Nd4j.factory().blas().getMaxThreads();
        if (before < 1) {
            before = Runtime.getRuntime().availableProcessors();
        }
        int restore = before;
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
