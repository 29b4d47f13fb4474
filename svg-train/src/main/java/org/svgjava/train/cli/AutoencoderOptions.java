package org.svgjava.train.cli;

import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The options that define a stage-1 model and its data, shared by train-autoencoder, encode and reconstruct: a
 * YAML file in the official layout, and flags that override single keys of it (a flag not given leaves the file's
 * or the default value, so every default lives in {@link AutoencoderYaml#DEFAULTS}).
 */
final class AutoencoderOptions {
    /** The help of the commands' {@code --autoencoder}: which checkpoints they read and where the model comes from. */
    static final String CHECKPOINT_HELP = "stage-1 checkpoint: of train-autoencoder (step-*.safetensors; its run's "
            + "config.yaml is read unless --config is given) or an official .ckpt";

    @Option(names = "--config", description = "stage-1 YAML in the layout of the official "
            + "example_svg_autoencoder_vitsp.yaml; flags override its keys (default: the official values; for a "
            + "checkpoint of train-autoencoder, the config.yaml of its run)")
    Path config;

    @Option(names = "--data", description = "builtin (procedural classes), fashion-mnist, or an ImageFolder directory "
            + "(data.params.train.params.data_root; default builtin)")
    String data;

    @Option(names = "--image-size", description = "image side, a multiple of 16 "
            + "(model.params.ddconfig.resolution and data.params.train.params.config.size; default 256)")
    Integer imageSize;

    @Option(names = "--dino", description = "DINOv3 weights (.pth or Hugging Face .safetensors); without them a seeded "
            + "random ViT-S/16+ stands in, a demonstration, not SVG (model.params.dinoconfig.weights; default none)")
    Path dino;

    @Option(names = "--decoder", description = "conv (the official LDM decoder) or vit (svgjava.decoder; default conv)")
    String decoder;

    @Option(names = "--seed", description = "seed of weights, data order and crops (svgjava.seed; default 0)")
    Long seed;

    /** The configuration: {@code --config}, else the run's config.yaml beside {@code checkpoint} (may be null), then the flags. */
    AutoencoderYaml resolve(Path checkpoint) throws IOException {
        Path file = config != null ? config : checkpoint == null ? null : AutoencoderYaml.besideCheckpoint(checkpoint);
        AutoencoderYaml y = AutoencoderYaml.load(file);
        y.set("data.params.train.params.data_root", data);
        y.set("model.params.ddconfig.resolution", imageSize);
        y.set("data.params.train.params.config.size", imageSize);
        y.set("model.params.dinoconfig.weights", dino == null ? null : dino.toString());
        y.set("svgjava.decoder", decoder);
        y.set("svgjava.seed", seed);
        return y;
    }
}
