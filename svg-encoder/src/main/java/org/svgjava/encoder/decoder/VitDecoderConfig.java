package org.svgjava.encoder.decoder;

/**
 * Size of the {@link VitDecoder}: latent channels and grid, the patch each token becomes, transformer width, depth,
 * heads and MLP ratio.
 */
public record VitDecoderConfig(int zChannels, int gridSize, int patchSize, int width, int depth, int heads,
                               double mlpRatio) implements DecoderSpec {
    public VitDecoderConfig {
        if (width % heads != 0) {
            throw new IllegalArgumentException("width " + width + " does not split into " + heads + " heads");
        }
    }

    /** A ViT-B-sized decoder for SVG's 16x16x392 latent at 256 px (a suggestion, not an official model). */
    public static VitDecoderConfig base() {
        return new VitDecoderConfig(392, 16, 16, 768, 12, 12, 4.0);
    }

    public int tokens() {
        return gridSize * gridSize;
    }

    @Override
    public LatentDecoder create() {
        return new VitDecoder(this);
    }
}
