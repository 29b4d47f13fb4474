package org.svgjava.core.kernels;

import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Attention core on FLOAT {@code [BH, T, D]} arrays, head by head: each head's products and softmax run on one
 * worker thread with single-threaded BLAS ({@link Sgemm}), so its scores stay in that core's cache between the
 * products and the softmax, and the small products are not split over threads (ND4J's batched matmul reached a
 * quarter of the GEMM peak on these shapes). Nothing is allocated.
 *
 * <p>Scores are computed transposed, {@code S^T = K Q^T} (one row per key, one column per query), and the
 * probabilities are kept that way ({@link Kernels#attention}): the softmax of a query is then a column, and its
 * max, sums and scaling are element-wise operations between rows, which C2 vectorises. Along rows they were
 * horizontal reductions (a running maximum is a chain of dependent compares): the softmax took 5.5 of the 10 ms
 * of a DiT-S block's attention forward.
 */
final class CpuAttention {
    private static final int PROBS = 0;
    private static final int GRADS = 1;
    private static final String HEAD_GRADS = "attention.dS";

    private CpuAttention() {
    }

    static void attention(INDArray q, INDArray k, INDArray v, float scale, INDArray probs, INDArray out) {
        int tq = (int) q.size(1);
        int tk = (int) k.size(1);
        int d = (int) q.size(2);
        int e = (int) v.size(2);
        Sgemm.Operand qs = Sgemm.Operand.of(q, 0, d);
        Sgemm.Operand ks = Sgemm.Operand.of(k, 0, d);
        Sgemm.Operand vs = Sgemm.Operand.of(v, 0, e);
        Sgemm.Operand ps = Sgemm.Operand.of(probs, 0, tq);
        int perSample = (int) (q.size(0) / out.size(0));
        Sgemm.Operand os = Sgemm.Operand.of(out, 0, perSample * e);
        Buf p = Buf.of(probs);
        int block = tk * tq;
        perHead((int) q.size(0), (long) block * (d + e), h -> {
            long ph = (long) h * block;
            Sgemm.gemm(false, true, tk, tq, d, 1f, ks.at((long) h * tk * d), qs.at((long) h * tq * d), 0f, ps.at(ph));
            float[][] st = rows(PROBS, tk, tq);
            get(p, ph, st);
            Scratch s = Scratch.get();
            int width = st[0].length;
            columnSoftmax(st, tq, scale, s.floats(0, width), s.floats(1, width), s.doubles(0, width));
            put(p, ph, st);
            Sgemm.gemm(true, false, tq, e, tk, 1f, ps.at(ph), vs.at((long) h * tk * e), 0f, os.at(tokenMajor(h, perSample, tq, e)));
        });
    }

    /**
     * dv = P^T dout; dP^T = v dout^T; dS^T = scale P^T (dP^T - colsum(dP^T P^T)); dq = dS k; dk = dS^T q.
     * dP^T and dS^T share one head-sized work array per thread, which stays in cache for the products that read
     * it. P goes into the heap arrays before the dv product reads it, so that the product finds it in cache: the
     * other way round, the product read it from memory (115 against 63 us a head, 256 x 256 x 64).
     */
    static void attentionBackward(INDArray q, INDArray k, INDArray v, INDArray probs, float scale, INDArray dout,
                                  INDArray dq, INDArray dk, INDArray dv) {
        int tq = (int) q.size(1);
        int tk = (int) k.size(1);
        int d = (int) q.size(2);
        int e = (int) v.size(2);
        Sgemm.Operand qs = Sgemm.Operand.of(q, 0, d);
        Sgemm.Operand ks = Sgemm.Operand.of(k, 0, d);
        Sgemm.Operand vs = Sgemm.Operand.of(v, 0, e);
        Sgemm.Operand ps = Sgemm.Operand.of(probs, 0, tq);
        int perSample = (int) (q.size(0) / dout.size(0));
        Sgemm.Operand gs = Sgemm.Operand.of(dout, 0, perSample * e);
        Sgemm.Operand dqs = Sgemm.Operand.of(dq, 0, d);
        Sgemm.Operand dks = Sgemm.Operand.of(dk, 0, d);
        Sgemm.Operand dvs = Sgemm.Operand.of(dv, 0, e);
        Buf p = Buf.of(probs);
        int block = tk * tq;
        perHead((int) q.size(0), (long) block * (2 * d + 2 * e), h -> {
            long ph = (long) h * block;
            long qh = (long) h * tq * d;
            long kh = (long) h * tk * d;
            long gh = tokenMajor(h, perSample, tq, e);
            long vh = (long) h * tk * e;
            INDArray work = NativeScratch.array(HEAD_GRADS, DataType.FLOAT, block);
            Sgemm.Operand ss = Sgemm.Operand.of(work, 0, tq);
            Buf sb = Buf.of(work);
            Sgemm.gemm(false, true, tk, tq, e, 1f, vs.at(vh), gs.at(gh), 0f, ss);
            float[][] pt = rows(PROBS, tk, tq);
            float[][] g = rows(GRADS, tk, tq);
            get(p, ph, pt);
            Sgemm.gemm(false, false, tk, e, tq, 1f, ps.at(ph), gs.at(gh), 0f, dvs.at(vh));
            get(sb, 0, g);
            Scratch s = Scratch.get();
            columnSoftmaxBackward(pt, g, tq, scale, s.floats(0, pt[0].length), s.doubles(0, pt[0].length));
            put(sb, 0, g);
            Sgemm.gemm(true, false, tq, d, tk, 1f, ss, ks.at(kh), 0f, dqs.at(qh));
            Sgemm.gemm(false, false, tk, d, tq, 1f, ss, qs.at(qh), 0f, dks.at(kh));
        });
    }

    /**
     * Where head {@code h} of an output {@code [B, Tq, H * e]} starts (H = heads per sample); with H = 1 that is
     * the head-major {@code [BH, Tq, e]} layout.
     */
    private static long tokenMajor(int h, int heads, int tq, int e) {
        return ((long) (h / heads) * tq * heads + h % heads) * e;
    }

    /**
     * Softmax of every column of a {@code [tk, cols]} block held as {@link #rows wide rows}, after scaling, in
     * place: column max, {@code exp((x - max) scale)}, column sums (float over {@link CpuNorms#ROW_BLOCK} rows, then
     * double) and the division. Every loop indexes its arrays alike: C2 of Java 17 does not vectorise a loop that
     * stores to one float array at {@code i} and reads another at {@code o + i} (it cannot rule out that they
     * alias), which a single row-major block would need (measured 1.0 vs 0.18 ns per element for the column max).
     * So the per-column statistics are kept once per key row of a wide row and folded together at the end.
     */
    static void columnSoftmax(float[][] st, int cols, float scale, float[] work, float[] t, double[] sums) {
        int width = st[0].length;
        float[] max = work;
        Arrays.fill(max, 0, width, Float.NEGATIVE_INFINITY);
        for (float[] row : st) {
            for (int i = 0; i < row.length; i++) {
                max[i] = Math.max(max[i], row[i]);
            }
        }
        for (int o = cols; o < width; o += cols) {
            for (int i = 0; i < cols; i++) {
                max[i] = Math.max(max[i], max[o + i]);
            }
        }
        replicate(max, cols, width);
        for (float[] row : st) {
            // scale (x - max) rather than scale x - scale max: no rounding of large products
            for (int i = 0; i < row.length; i++) {
                row[i] = (row[i] - max[i]) * scale;
            }
            FastMath.exp(row, t, row.length);
        }
        float[] inv = columnSums(st, null, cols, work, sums);
        for (int i = 0; i < cols; i++) {
            inv[i] = (float) (1.0 / sums[i]);
        }
        replicate(inv, cols, width);
        for (float[] row : st) {
            for (int i = 0; i < row.length; i++) {
                row[i] *= inv[i];
            }
        }
    }

    /** {@code g = scale p (g - colsum(g p))} in place, for probabilities p by columns (wide rows, as g). */
    static void columnSoftmaxBackward(float[][] p, float[][] g, int cols, float scale, float[] work, double[] sums) {
        float[] c = columnSums(g, p, cols, work, sums);
        for (int i = 0; i < cols; i++) {
            c[i] = (float) sums[i];
        }
        replicate(c, cols, p[0].length);
        for (int j = 0; j < g.length; j++) {
            float[] gr = g[j];
            float[] pr = p[j];
            for (int i = 0; i < gr.length; i++) {
                gr[i] = scale * pr[i] * (gr[i] - c[i]);
            }
        }
    }

    /**
     * {@code sums[i] = sum_j a[j][i] (* b[j][i] when b is not null)} over the key rows of the wide rows, for
     * {@code i < cols}; returns {@code work} (free for the caller afterwards). The key rows at each position of the
     * wide rows are summed first, then those sums in position order.
     */
    private static float[] columnSums(float[][] a, float[][] b, int cols, float[] work, double[] sums) {
        int width = a[0].length;
        float[] acc = work;
        Arrays.fill(acc, 0, width, 0f);
        Arrays.fill(sums, 0, width, 0);
        for (int j = 0; j < a.length; j++) {
            float[] ar = a[j];
            if (b == null) {
                for (int i = 0; i < ar.length; i++) {
                    acc[i] += ar[i];
                }
            } else {
                float[] br = b[j];
                for (int i = 0; i < ar.length; i++) {
                    acc[i] += ar[i] * br[i];
                }
            }
            if (j % CpuNorms.ROW_BLOCK == CpuNorms.ROW_BLOCK - 1 || j == a.length - 1) {
                FastMath.flush(acc, sums, 0, width);
            }
        }
        for (int o = cols; o < width; o += cols) {
            for (int i = 0; i < cols; i++) {
                sums[i] += sums[o + i];
            }
        }
        return acc;
    }

    /** Copies {@code a[0, cols)} to every further {@code cols} of {@code a[0, width)}. */
    private static void replicate(float[] a, int cols, int width) {
        for (int o = cols; o < width; o += cols) {
            System.arraycopy(a, 0, a, o, cols);
        }
    }

    /**
     * About this many floats per heap row array: C2 unrolls a vectorised loop so far (128 floats per turn with
     * AVX-512) that over 256 floats most of the work falls to its scalar pre- and post-loops. An exp took 1.07 ns
     * per element over 256 floats against 0.60 over 1024.
     */
    private static final int WIDE = 1024;

    /** Per-thread blocks of row arrays, two slots (probabilities, gradients), reallocated when the shape changes. */
    private static final ThreadLocal<float[][][]> BLOCKS = ThreadLocal.withInitial(() -> new float[2][][]);

    /**
     * A {@code [count, length]} block as wide rows: each array holds {@code max(1, WIDE / length)} consecutive rows
     * (the last array fewer when they do not divide count), so a wide row is one contiguous run of the block.
     */
    private static float[][] rows(int slot, int count, int length) {
        int per = Math.max(1, WIDE / length);
        int arrays = (count + per - 1) / per;
        int lastLength = (count - (arrays - 1) * per) * length;
        float[][][] blocks = BLOCKS.get();
        float[][] b = blocks[slot];
        int firstLength = Math.min(per, count) * length;
        if (b == null || b.length != arrays || b[0].length != firstLength || b[arrays - 1].length != lastLength) {
            b = new float[arrays][];
            for (int j = 0; j < arrays; j++) {
                b[j] = new float[j < arrays - 1 ? firstLength : lastLength];
            }
            blocks[slot] = b;
        }
        return b;
    }

    private static void get(Buf src, long at, float[][] rows) {
        for (float[] row : rows) {
            src.get(at, row, row.length);
            at += row.length;
        }
    }

    private static void put(Buf dst, long at, float[][] rows) {
        for (float[] row : rows) {
            dst.put(at, row, row.length);
            at += row.length;
        }
    }

    private interface HeadBody {
        void run(int head);
    }

    /** Heads split over the worker threads, BLAS single-threaded inside (one whole product per thread). */
    private static void perHead(int heads, long workPerHead, HeadBody body) {
        int chunks = Parallel.chunks(heads, workPerHead);
        Runnable all = () -> Parallel.run(chunks, heads, (c, h0, h1) -> {
            for (int h = h0; h < h1; h++) {
                body.run(h);
            }
        });
        if (chunks > 1) {
            Sgemm.singleThreaded(all);
        } else {
            all.run();
        }
    }
}
