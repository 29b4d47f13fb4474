package org.svgjava.encoder.autoencoder;

import java.util.Random;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The official training-time regulariser on the residual map: with probability {@code mask_ratio} per sample (not
 * per token), the whole {@code [D, N]} map of that sample is replaced by the learned {@code mask_token [1, D, 1]}
 * broadcast over all positions. Applied before distribution matching, in training only.
 */
final class SampleMask {
    private SampleMask() {
    }

    /** The per-sample flags {@code U(0,1) < ratio}. */
    static boolean[] draw(int batch, double ratio, Random rng) {
        boolean[] flags = new boolean[batch];
        for (int i = 0; i < batch; i++) {
            flags[i] = rng.nextDouble() < ratio;
        }
        return flags;
    }

    /** hVit {@code [B, D, N]} in place: flagged samples become the token. */
    static void apply(INDArray hVit, INDArray token, boolean[] flags) {
        long d = hVit.size(1);
        long n = hVit.size(2);
        for (int b = 0; b < flags.length; b++) {
            if (flags[b]) {
                hVit.slice(b).assign(token.reshape(d, 1).broadcast(d, n));
            }
        }
    }

    /**
     * Backward in place on dhVit: a flagged sample's gradient goes to the token (summed over positions and added
     * into {@code dToken}, may be null) and not to the encoder.
     */
    static void backward(INDArray dhVit, INDArray dToken, boolean[] flags) {
        long d = dhVit.size(1);
        for (int b = 0; b < flags.length; b++) {
            if (flags[b]) {
                if (dToken != null) {
                    dToken.addi(dhVit.slice(b).sum(1).reshape(dToken.shape()));
                }
                dhVit.slice(b).assign(0);
            }
        }
    }
}
