/**
 * The SVG autoencoder: the residual encoder (torchvision ViT, {@code extra_vit}), distribution matching, the
 * whole-sample mask token and {@link org.svgjava.encoder.autoencoder.SvgAutoencoder}, which joins them with the
 * frozen DINOv3 and a decoder, with the official Lightning checkpoint's names.
 */
package org.svgjava.encoder.autoencoder;
