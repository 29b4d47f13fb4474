package org.svgjava.train.cli;

import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The stage-1 model that turns sampled latents into images, for sample and train-diffusion's sample grids. */
final class DecoderOptions {
    @Option(names = "--autoencoder", description = "stage-1 checkpoint to decode with: of train-autoencoder "
            + "(step-*.safetensors) or an official .ckpt; without it no images are decoded")
    Path autoencoder;

    @Option(names = "--autoencoder-config", description = "stage-1 YAML of a train-autoencoder checkpoint "
            + "(default: the config.yaml of its run, two folders above the checkpoint)")
    Path autoencoderConfig;

    /** The stage-1 configuration, or null without {@code --autoencoder}. */
    AutoencoderYaml config() throws IOException {
        if (autoencoder == null) {
            return null;
        }
        return AutoencoderYaml.load(autoencoderConfig != null ? autoencoderConfig
                : AutoencoderYaml.besideCheckpoint(autoencoder));
    }
}
