/**
 * Decoders from SVG latents to images: the LDM conv {@link org.svgjava.encoder.decoder.Decoder} of the released
 * model and a transformer alternative, {@link org.svgjava.encoder.decoder.VitDecoder}; both with exact backward
 * passes.
 */
package org.svgjava.encoder.decoder;
