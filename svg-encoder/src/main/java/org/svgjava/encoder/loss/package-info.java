/**
 * The stage-1 losses of the official autoencoder ({@code LPIPSWithDiscriminatorDecoder}): L1 reconstruction in the
 * LDM {@code nll} form, LPIPS, taming's PatchGAN discriminator with hinge losses and the adaptive GAN weight.
 */
package org.svgjava.encoder.loss;
