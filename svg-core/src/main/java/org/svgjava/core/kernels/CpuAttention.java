package org.svgjava.core.kernels;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Attention core: the five batched matrix products go to ND4J's batched matmul (BLAS; measured 2-3x faster than a
 * loop of per-head gemm calls), the softmax and its backward are the fused row kernels, run in place on the
 * {@code [BH, T, T]} arrays so nothing is allocated.
 */
final class CpuAttention {
    private CpuAttention() {
    }

    static void attention(INDArray q, INDArray k, INDArray v, double scale, INDArray probs, INDArray out) {
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
        int tokens = (int) probs.size(-1);
        int rows = (int) (probs.length() / tokens);
        Nd4j.matmul(probs, dout, dv, true, false, false);
        Nd4j.matmul(dout, v, scratch, false, true, false);
        Buf s = Buf.of(scratch);
        CpuActivations.softmaxBackwardRows(Buf.of(probs), s, s, rows, tokens, scale);
        Nd4j.matmul(scratch, k, dq, false, false, false);
        Nd4j.matmul(scratch, q, dk, true, false, false);
    }
}
