package org.svgjava.encoder.autoencoder;

import org.svgjava.encoder.decoder.DecoderConfig;
import org.svgjava.encoder.decoder.DecoderSpec;
import org.svgjava.encoder.dino.DinoV3Config;

/**
 * Configuration of the SVG autoencoder ({@code DinoDecoder}).
 *
 * @param dino        the frozen encoder's size; null reads it from the weights (published widths only)
 * @param residual    the residual encoder ({@code extra_vit})
 * @param decoder     {@link DecoderConfig} (the official conv decoder) or a ViT decoder
 * @param maskRatio   per-sample probability of replacing the residual map by {@code mask_token} in training;
 *                    {@code <= 0} builds no mask token (the authors' inference config uses -1)
 * @param useOutNorm  apply {@code match_distribution} to the residual map (official: true)
 * @param matching    which statistics the matching uses in eval (official: {@link DistributionMatching.Mode#BATCH})
 */
public record SvgAutoencoderConfig(DinoV3Config dino, ResidualEncoderConfig residual, DecoderSpec decoder,
                                   double maskRatio, boolean useOutNorm, DistributionMatching.Mode matching) {
    public SvgAutoencoderConfig {
        if (dino != null && decoder.zChannels() != dino.embedDim() + residual.outputDim()) {
            throw new IllegalArgumentException("the decoder takes " + decoder.zChannels() + " latent channels, but DINO ("
                    + dino.embedDim() + ") + residual (" + residual.outputDim() + ") make "
                    + (dino.embedDim() + residual.outputDim()));
        }
    }

    /** The released autoencoder: DINOv3 ViT-S/16+, the 6-layer residual ViT, mask ratio 0.1, the conv decoder. */
    public static SvgAutoencoderConfig official() {
        return new SvgAutoencoderConfig(DinoV3Config.vits16plus(), ResidualEncoderConfig.official(),
                DecoderConfig.official(), 0.1, true, DistributionMatching.Mode.BATCH);
    }

    public SvgAutoencoderConfig withDino(DinoV3Config v) {
        return new SvgAutoencoderConfig(v, residual, decoder, maskRatio, useOutNorm, matching);
    }

    public SvgAutoencoderConfig withDecoder(DecoderSpec v) {
        return new SvgAutoencoderConfig(dino, residual, v, maskRatio, useOutNorm, matching);
    }

    public SvgAutoencoderConfig withMaskRatio(double v) {
        return new SvgAutoencoderConfig(dino, residual, decoder, v, useOutNorm, matching);
    }

    public SvgAutoencoderConfig withMatching(DistributionMatching.Mode v) {
        return new SvgAutoencoderConfig(dino, residual, decoder, maskRatio, useOutNorm, v);
    }
}
