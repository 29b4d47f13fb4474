package org.svgjava.encoder.decoder;

import java.util.Arrays;

/**
 * The {@code ddconfig} of the LDM {@code Decoder}: base width {@code ch}, width multipliers per level, residual
 * blocks per level ({@code num_res_blocks + 1} run in each up level), the resolutions with self-attention, the
 * latent channels and the output resolution. No timestep embedding, dropout 0, upsampling by nearest + conv.
 */
public record DecoderConfig(int ch, int[] chMult, int numResBlocks, int[] attnResolutions, int zChannels,
                            int resolution, int outCh) implements DecoderSpec {
    public DecoderConfig {
        chMult = chMult.clone();
        attnResolutions = attnResolutions.clone();
        if (chMult.length == 0 || resolution % (1 << (chMult.length - 1)) != 0) {
            throw new IllegalArgumentException("resolution " + resolution + " does not divide by 2^" + (chMult.length - 1));
        }
    }

    /** SVG's released decoder: ch 128, ch_mult [1,1,2,2,4], 2 res blocks, attention at 16, z 392, 256 px. */
    public static DecoderConfig official() {
        return new DecoderConfig(128, new int[] {1, 1, 2, 2, 4}, 2, new int[] {16}, 392, 256, 3);
    }

    public int levels() {
        return chMult.length;
    }

    /** The latent side: {@code resolution / 2^(levels - 1)}. */
    public int latentResolution() {
        return resolution >> (chMult.length - 1);
    }

    public boolean attentionAt(int res) {
        return Arrays.stream(attnResolutions).anyMatch(r -> r == res);
    }

    @Override
    public int[] chMult() {
        return chMult.clone();
    }

    @Override
    public int[] attnResolutions() {
        return attnResolutions.clone();
    }

    @Override
    public LatentDecoder create() {
        return new Decoder(this);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DecoderConfig c && ch == c.ch && Arrays.equals(chMult, c.chMult) && numResBlocks == c.numResBlocks
                && Arrays.equals(attnResolutions, c.attnResolutions) && zChannels == c.zChannels
                && resolution == c.resolution && outCh == c.outCh;
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(chMult) + Arrays.hashCode(attnResolutions) + ch + numResBlocks + zChannels + resolution;
    }

    @Override
    public String toString() {
        return "DecoderConfig[ch=" + ch + ", chMult=" + Arrays.toString(chMult) + ", numResBlocks=" + numResBlocks
                + ", attnResolutions=" + Arrays.toString(attnResolutions) + ", zChannels=" + zChannels + ", resolution="
                + resolution + ", outCh=" + outCh + "]";
    }
}
