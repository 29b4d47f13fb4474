package org.svgjava.train.autoencoder;

import java.util.function.UnaryOperator;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.svgjava.encoder.autoencoder.SvgAutoencoder;

/**
 * The autoencoder applied to many images or latents in chunks, in eval mode, with the output clamped to [-1, 1]
 * as the official sampler does ({@code sample_svg.py}). The distribution matching uses the statistics of each
 * chunk, so a reconstruction depends on the chunk size, as in the official code.
 */
public final class AutoencoderInference {
    private AutoencoderInference() {
    }

    /** Latents {@code [N, C, h, w]} to images {@code [N, 3, H, W]} in [-1, 1]. */
    public static INDArray decode(SvgAutoencoder ae, INDArray latents, int chunk) {
        return inChunks(ae, latents, chunk, ae::decode);
    }

    /** Images {@code [N, 3, H, W]} in [-1, 1] through encoder and decoder. */
    public static INDArray reconstruct(SvgAutoencoder ae, INDArray images, int chunk) {
        return inChunks(ae, images, chunk, ae::reconstruct);
    }

    private static INDArray inChunks(SvgAutoencoder ae, INDArray in, int chunk, UnaryOperator<INDArray> f) {
        boolean training = ae.isTraining();
        ae.train(false);
        try {
            long n = in.size(0);
            INDArray out = null;
            for (long i = 0; i < n; i += chunk) {
                long m = Math.min(chunk, n - i);
                INDArray img = f.apply(in.get(NDArrayIndex.interval(i, i + m)).dup());
                if (out == null) {
                    out = Nd4j.create(DataType.FLOAT, n, img.size(1), img.size(2), img.size(3));
                }
                out.get(NDArrayIndex.interval(i, i + m)).assign(img);
            }
            return Transforms.min(Transforms.max(out, -1.0, false), 1.0, false);
        } finally {
            ae.train(training);
        }
    }
}
