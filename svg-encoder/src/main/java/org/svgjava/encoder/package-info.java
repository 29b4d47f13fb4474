/**
 * Images to SVG latents and back: the frozen DINOv3 encoder, the residual encoder with distribution matching, the
 * LDM conv decoder and the ViT decoder, the SVG autoencoder and the stage-1 losses (issues 4 and 6).
 */
package org.svgjava.encoder;
