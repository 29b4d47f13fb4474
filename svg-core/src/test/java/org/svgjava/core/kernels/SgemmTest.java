package org.svgjava.core.kernels;

import static org.assertj.core.api.Assertions.assertThat;

import org.bytedeco.javacpp.Loader;
import org.bytedeco.openblas.presets.openblas_nolapack;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.svgjava.core.testing.Allclose;

class SgemmTest {
    @Test
    void productsOfViewsWithLeadingDimensionsMatchNd4j() {
        Nd4j.getRandom().setSeed(3);
        INDArray a = Nd4j.rand(DataType.FLOAT, 7, 11);
        INDArray b = Nd4j.rand(DataType.FLOAT, 5, 13);
        // a view at an offset: rows 2..6 of a, columns 0..10 (op(A) = A^T is [11, 5])
        INDArray aView = a.get(NDArrayIndex.interval(2, 7), NDArrayIndex.all());
        INDArray c = Nd4j.rand(DataType.FLOAT, 11, 13);
        INDArray expected = aView.transpose().mmul(b).muli(2).addi(c.mul(0.5));
        Sgemm.gemm(true, false, 11, 13, 5, 2f, Sgemm.Operand.of(a, 2 * 11, 11), Sgemm.Operand.of(b, 0, 13), 0.5f,
                Sgemm.Operand.of(c, 0, 13));
        Allclose.assertRelClose("C", c, expected, 1e-6);
    }

    /**
     * Asks OpenBLAS itself ({@code openblas_get_num_threads}): the preset's getter only echoes its own setter. The
     * only {@code int f(int)} function-pointer class at hand is reused; the callee ignores the extra argument.
     */
    @Test
    void singleThreadedLimitsOpenBlasAndRestoresIt() {
        Loader.load(org.bytedeco.openblas.global.openblas_nolapack.class);
        var threads = new openblas_nolapack.MklSetNumThreadsLocal() { }.put(Loader.addressof("openblas_get_num_threads"));
        int before = threads.call(0);
        int[] inside = new int[1];
        Sgemm.singleThreaded(() -> inside[0] = threads.call(0));
        assertThat(inside[0]).isEqualTo(1);
        assertThat(threads.call(0)).isEqualTo(before);
    }
}
