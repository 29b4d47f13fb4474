package org.svgjava.core.kernels;

import java.nio.FloatBuffer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Linear layer on FLOAT arrays with direct BLAS calls ({@link Sgemm}). The bias costs no pass of its own: the
 * output rows are first filled with it (a write-only pass) and the product adds onto them (beta = 1), which BLAS
 * does while the tile is in registers; adding a bias row after the product read and wrote the whole output again
 * (a tenth of the product's time at DiT-S sizes). The bias gradient is a column-sum kernel instead of a GEMM
 * against a ones vector, which ran at memory speed on one row at a time.
 */
final class CpuLinear {
    private CpuLinear() {
    }

    static void linear(INDArray x, INDArray w, INDArray b, INDArray y) {
        int n = (int) x.size(0);
        int in = (int) x.size(1);
        int out = (int) w.size(0);
        if (b != null) {
            FloatBuffer yb = CpuMemory.floats(y);
            FloatBuffer bb = CpuMemory.floats(b);
            Parallel.forEach(n, out, (c, r0, r1) -> {
                float[] row = Scratch.get().floats(0, out);
                bb.get(0, row, 0, out);
                for (int r = r0; r < r1; r++) {
                    yb.put(r * out, row, 0, out);
                }
            });
        }
        Sgemm.gemm(false, true, n, out, in, 1f, Sgemm.Operand.of(x, 0, in), Sgemm.Operand.of(w, 0, in),
                b != null ? 1f : 0f, Sgemm.Operand.of(y, 0, out));
    }

    static void linearBackward(INDArray dy, INDArray x, INDArray w, INDArray dx, INDArray dw, INDArray db) {
        int n = (int) x.size(0);
        int in = (int) x.size(1);
        int out = (int) w.size(0);
        Sgemm.Operand dys = Sgemm.Operand.of(dy, 0, out);
        if (dw != null) {
            Sgemm.gemm(true, false, out, in, n, 1f, dys, Sgemm.Operand.of(x, 0, in), 1f, Sgemm.Operand.of(dw, 0, in));
        }
        if (db != null) {
            columnSums(CpuMemory.floats(dy), n, out, db);
        }
        if (dx != null) {
            Sgemm.gemm(false, false, n, in, out, 1f, dys, Sgemm.Operand.of(w, 0, in), 0f, Sgemm.Operand.of(dx, 0, in));
        }
    }

    /** {@code acc[j] += sum_r m[r, j]} for m {@code [rows, cols]} in memory. */
    static void columnSums(FloatBuffer m, int rows, int cols, INDArray acc) {
        columnSums(rows, cols, (r, s) -> {
            float[] row = s.floats(0, cols);
            m.get(r * cols, row, 0, cols);
            return row;
        }, acc);
    }

    /** Makes row r of a {@code [rows, cols]} matrix in a heap array, in {@link Scratch} slots below {@link #SUM_SLOT}. */
    @FunctionalInterface
    interface Row {
        float[] make(int r, Scratch s);
    }

    /** The {@link Scratch} slot of {@link #columnSums}'s accumulator. */
    static final int SUM_SLOT = 5;

    /**
     * {@code acc[j] += sum_r m[r, j]} for the rows that {@code row} makes: row ranges over the threads, each made
     * front to back and summed into a whole-row accumulator (float over {@link CpuNorms#ROW_BLOCK} rows, then
     * double), and the ranges' sums added in range order, so each sum has one fixed order. Column blocks per
     * thread read every row in short strided pieces instead, which in a training step ran at a fifth of memory
     * speed (1.6 ms for a [2048, 1536] gradient).
     */
    static void columnSums(int rows, int cols, Row row, INDArray acc) {
        int chunks = Parallel.chunks(rows, cols);
        double[] partials = Scratch.partials(chunks * cols);
        Parallel.run(chunks, rows, (c, r0, r1) -> {
            Scratch s = Scratch.get();
            float[] block = s.floats(SUM_SLOT, cols);
            java.util.Arrays.fill(block, 0, cols, 0f);
            for (int r = r0; r < r1; r++) {
                float[] v = row.make(r, s);
                for (int i = 0; i < cols; i++) {
                    block[i] += v[i];
                }
                if ((r - r0) % CpuNorms.ROW_BLOCK == CpuNorms.ROW_BLOCK - 1 || r == r1 - 1) {
                    FastMath.flush(block, partials, c * cols, cols);
                }
            }
        });
        CpuNorms.addPartials(partials, chunks, cols, 0, cols, acc);
    }
}
