package org.svgjava.core.kernels;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Attention core on {@code [BH, T, D]} arrays. FLOAT runs head by head, each head's products and softmax on one
 * worker thread with single-threaded BLAS ({@link Sgemm}): the head's {@code T x T} scores stay in that core's
 * cache between the products and the softmax, and the small products are not split over threads (ND4J's batched
 * matmul reached a quarter of the GEMM peak on these shapes). DOUBLE (the finite-difference tests) uses ND4J's
 * batched matmul and the row kernels. Nothing is allocated.
 */
final class CpuAttention {
    private CpuAttention() {
    }

    static void attention(INDArray q, INDArray k, INDArray v, double scale, INDArray probs, INDArray out) {
        if (q.dataType() == DataType.FLOAT) {
            attentionFloat(q, k, v, (float) scale, probs, out);
            return;
        }
        int tokens = (int) probs.size(-1);
        int rows = (int) (probs.length() / tokens);
        Nd4j.matmul(q, k, probs, false, true, false);
        Buf p = Buf.of(probs);
        CpuActivations.softmaxRows(p, p, rows, tokens, scale);
        Nd4j.matmul(probs, v, out, false, false, false);
    }

    /**
     * dv = P^T dout; dP = dout v^T; dS = scale P (dP - rowsum(dP P)); dq = dS k; dk = dS^T q. dP and dS share
     * {@code scratch}.
     */
    static void attentionBackward(INDArray q, INDArray k, INDArray v, INDArray probs, double scale, INDArray dout,
                                  INDArray dq, INDArray dk, INDArray dv, INDArray scratch) {
        if (q.dataType() == DataType.FLOAT) {
            attentionBackwardFloat(q, k, v, probs, (float) scale, dout, dq, dk, dv, scratch);
            return;
        }
        int tokens = (int) probs.size(-1);
        int rows = (int) (probs.length() / tokens);
        Nd4j.matmul(probs, dout, dv, true, false, false);
        Nd4j.matmul(dout, v, scratch, false, true, false);
        Buf s = Buf.of(scratch);
        CpuActivations.softmaxBackwardRows(Buf.of(probs), s, s, rows, tokens, scale);
        Nd4j.matmul(scratch, k, dq, false, false, false);
        Nd4j.matmul(scratch, q, dk, true, false, false);
    }

    private static void attentionFloat(INDArray q, INDArray k, INDArray v, float scale, INDArray probs, INDArray out) {
        int tq = (int) q.size(1);
        int tk = (int) k.size(1);
        int d = (int) q.size(2);
        int e = (int) v.size(2);
        Sgemm.Operand qs = Sgemm.Operand.of(q, 0, d);
        Sgemm.Operand ks = Sgemm.Operand.of(k, 0, d);
        Sgemm.Operand vs = Sgemm.Operand.of(v, 0, e);
        Sgemm.Operand ps = Sgemm.Operand.of(probs, 0, tk);
        Sgemm.Operand os = Sgemm.Operand.of(out, 0, e);
        Buf p = Buf.of(probs);
        perHead((int) q.size(0), (long) tq * tk * (d + e), h -> {
            Sgemm.Operand ph = ps.at((long) h * tq * tk);
            Sgemm.gemm(false, true, tq, tk, d, 1f, qs.at((long) h * tq * d), ks.at((long) h * tk * d), 0f, ph);
            CpuActivations.softmaxRowsF(p, p, h * tq, (h + 1) * tq, tk, scale);
            Sgemm.gemm(false, false, tq, e, tk, 1f, ph, vs.at((long) h * tk * e), 0f, os.at((long) h * tq * e));
        });
    }

    private static void attentionBackwardFloat(INDArray q, INDArray k, INDArray v, INDArray probs, float scale,
                                               INDArray dout, INDArray dq, INDArray dk, INDArray dv, INDArray scratch) {
        int tq = (int) q.size(1);
        int tk = (int) k.size(1);
        int d = (int) q.size(2);
        int e = (int) v.size(2);
        Sgemm.Operand qs = Sgemm.Operand.of(q, 0, d);
        Sgemm.Operand ks = Sgemm.Operand.of(k, 0, d);
        Sgemm.Operand vs = Sgemm.Operand.of(v, 0, e);
        Sgemm.Operand ps = Sgemm.Operand.of(probs, 0, tk);
        Sgemm.Operand gs = Sgemm.Operand.of(dout, 0, e);
        Sgemm.Operand ss = Sgemm.Operand.of(scratch, 0, tk);
        Sgemm.Operand dqs = Sgemm.Operand.of(dq, 0, d);
        Sgemm.Operand dks = Sgemm.Operand.of(dk, 0, d);
        Sgemm.Operand dvs = Sgemm.Operand.of(dv, 0, e);
        Buf p = Buf.of(probs);
        Buf s = Buf.of(scratch);
        perHead((int) q.size(0), (long) tq * tk * (2 * d + 2 * e), h -> {
            long ph = (long) h * tq * tk;
            long qh = (long) h * tq * d;
            long kh = (long) h * tk * d;
            long gh = (long) h * tq * e;
            long vh = (long) h * tk * e;
            Sgemm.gemm(true, false, tk, e, tq, 1f, ps.at(ph), gs.at(gh), 0f, dvs.at(vh));
            Sgemm.gemm(false, true, tq, tk, e, 1f, gs.at(gh), vs.at(vh), 0f, ss.at(ph));
            CpuActivations.softmaxBackwardRowsF(p, s, s, h * tq, (h + 1) * tq, tk, scale);
            Sgemm.gemm(false, false, tq, d, tk, 1f, ss.at(ph), ks.at(kh), 0f, dqs.at(qh));
            Sgemm.gemm(true, false, tk, d, tq, 1f, ss.at(ph), qs.at(qh), 0f, dks.at(kh));
        });
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
