package org.svgjava.encoder.autoencoder;

/**
 * Size of SVG's residual encoder, the torchvision {@code VisionTransformer} of {@code create_small_vit_s}.
 *
 * @param imageSize         input side; torchvision accepts only this size (the position table is fixed)
 * @param outputDim         channels of the residual latent (8)
 * @param dropout           dropout after the position embedding, the attention and in the MLP (training only)
 * @param attentionDropout  dropout on the attention probabilities (training only)
 */
public record ResidualEncoderConfig(int imageSize, int patchSize, int numLayers, int numHeads, int hiddenDim,
                                    int mlpDim, int outputDim, double dropout, double attentionDropout) {
    public ResidualEncoderConfig {
        if (imageSize % patchSize != 0) {
            throw new IllegalArgumentException("image size " + imageSize + " is not a multiple of the patch " + patchSize);
        }
        if (hiddenDim % numHeads != 0) {
            throw new IllegalArgumentException("width " + hiddenDim + " does not split into " + numHeads + " heads");
        }
    }

    /** The released model: 256 px, patch 16, 6 layers, 8 heads, width 384, MLP 1536, 8 output channels. */
    public static ResidualEncoderConfig official() {
        return new ResidualEncoderConfig(256, 16, 6, 8, 384, 1536, 8, 0.1, 0.1);
    }

    public int gridSize() {
        return imageSize / patchSize;
    }

    /** Tokens including the class token (torchvision's {@code seq_length}). */
    public int seqLength() {
        return gridSize() * gridSize() + 1;
    }
}
