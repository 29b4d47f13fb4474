package org.svgjava.encoder.decoder;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.svgjava.core.nn.Layer;
import org.svgjava.core.nn.Module;
import org.svgjava.core.nn.ParameterSet;

/**
 * A decoder from an SVG latent {@code [B, C, h, w]} to an image {@code [B, 3, h*f, w*f]} (unbounded; trained against
 * images in [-1, 1]): the LDM conv {@link Decoder} of the official autoencoder or the {@link VitDecoder}.
 */
public abstract class LatentDecoder extends Module implements Layer {
    /** PyTorch-style initialisation of every parameter from one seed (after build). */
    public abstract void initialize(long seed);

    /** The spatial factor from latent to image. */
    public abstract int upsampling();

    /** State-dict name (relative to the decoder) of the last layer, whose weight the adaptive GAN weight uses. */
    public abstract String lastLayerName();

    /** The last layer itself. */
    protected abstract Layer lastLayer();

    /** The gradient at the last layer's output for a gradient at the images (the layers after it, run backward). */
    protected abstract INDArray lastLayerOutputGradient(INDArray dImages);

    /**
     * dL/d(last layer weight) for the image gradient {@code dImages}, as {@code torch.autograd.grad(loss,
     * last_layer)}: needs the last forward; the accumulated gradients are left as they were; returns a fresh array.
     *
     * @param gradients the gradient set of the built root that holds this decoder
     * @param prefix    this decoder's name prefix in that root ({@code "decoder."}, or {@code ""} for a root decoder)
     */
    public final INDArray lastLayerWeightGradient(ParameterSet gradients, String prefix, INDArray dImages) {
        if (gradients == null) {
            throw new IllegalStateException("the decoder keeps no gradients (frozen): no adaptive weight");
        }
        String base = prefix + lastLayerName() + ".";
        INDArray w = gradients.get(base + "weight");
        INDArray b = gradients.views().get(base + "bias");
        INDArray savedW = w.dup();
        INDArray savedB = b == null ? null : b.dup();
        w.assign(0);
        lastLayer().backward(lastLayerOutputGradient(dImages));
        INDArray result = w.dup();
        w.assign(savedW);
        if (b != null) {
            b.assign(savedB);
        }
        return result;
    }

    /** {@link #lastLayerWeightGradient(ParameterSet, String, INDArray)} for a decoder built as its own root. */
    public final INDArray lastLayerWeightGradient(INDArray dImages) {
        return lastLayerWeightGradient(gradients(), "", dImages);
    }
}
