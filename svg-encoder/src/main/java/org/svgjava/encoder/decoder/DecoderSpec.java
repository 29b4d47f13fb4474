package org.svgjava.encoder.decoder;

/** Which decoder an autoencoder uses and its size: {@link DecoderConfig} (LDM conv) or {@link VitDecoderConfig}. */
public sealed interface DecoderSpec permits DecoderConfig, VitDecoderConfig {
    /** Latent channels the decoder takes. */
    int zChannels();

    /** An unbuilt decoder of this size. */
    LatentDecoder create();
}
