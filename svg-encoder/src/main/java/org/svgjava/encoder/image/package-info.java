/**
 * Image preprocessing of the official SVG pipelines: reading images as PIL's {@code convert("RGB")} does, Pillow's
 * and OpenCV's resamplers reproduced bit for bit, the autoencoder's (taming / albumentations) and the diffusion
 * model's (ADM {@code center_crop_arr}) crops, and the conversions to and from the models' tensors.
 */
package org.svgjava.encoder.image;
