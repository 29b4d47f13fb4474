package org.svgjava.train.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.svgjava.encoder.autoencoder.DistributionMatching;
import org.svgjava.encoder.autoencoder.ResidualEncoderConfig;
import org.svgjava.encoder.autoencoder.SvgAutoencoderConfig;
import org.svgjava.encoder.decoder.DecoderConfig;
import org.svgjava.encoder.decoder.DecoderSpec;
import org.svgjava.encoder.decoder.VitDecoderConfig;
import org.svgjava.encoder.dino.DinoV3;
import org.svgjava.encoder.dino.DinoV3Config;
import org.svgjava.encoder.loss.NLayerDiscriminator;
import org.svgjava.encoder.train.AutoencoderTrainingStep;
import org.svgjava.train.autoencoder.AutoencoderTrainer;
import org.svgjava.train.autoencoder.ReconstructionGrids;
import org.svgjava.train.data.Dataset;
import org.svgjava.train.data.FashionMnistDataset;
import org.svgjava.train.data.ImageFolderDataset;
import org.svgjava.train.data.ProceduralDataset;

/**
 * The stage-1 configuration in the layout of the official {@code autoencoder/configs/example_svg_autoencoder_vitsp
 * .yaml} (LDM style: {@code model.params.{dinoconfig, extra_vit_config, lossconfig, ddconfig}}, {@code data},
 * {@code lightning}), so one file reads beside the other. Lightning's own keys carry the run length
 * ({@code lightning.trainer.max_steps}), the log interval ({@code log_every_n_steps}), the checkpoint interval
 * ({@code lightning.modelcheckpoint.params.every_n_train_steps}) and the reconstruction grids
 * ({@code lightning.callbacks.image_logger.params.batch_frequency}, 0: none). What the official file has no
 * place for is under {@code svgjava}: the decoder kind (conv, the official one, or vit) with the ViT decoder's
 * size, and the seed. {@code data.params.train.params.data_root} is builtin, fashion-mnist or an ImageFolder
 * directory; an empty {@code dinoconfig.weights} means a seeded random ViT-S/16+ stand-in.
 */
final class AutoencoderYaml extends YamlConfig {
    static final String DEFAULTS = """
            model:
              base_learning_rate: 1.0e-04
              target: ldm.models.dino_decoder.DinoDecoder
              params:
                embed_dim: 32
                mask_ratio: 0.1
                dinoconfig:
                  model_name: dinov3_vits16plus
                  weights:
                extra_vit_config:
                  use_outnorm: true
                lossconfig:
                  target: ldm.modules.losses.contperceptual_decoder.LPIPSWithDiscriminatorDecoder
                  params:
                    disc_start: 5001
                    disc_weight: 0.5
                    disc_num_layers: 3
                ddconfig:
                  double_z: true
                  z_channels: 392
                  resolution: 256
                  in_channels: 3
                  out_ch: 3
                  ch: 128
                  ch_mult: [1, 1, 2, 2, 4]
                  num_res_blocks: 2
                  attn_resolutions: [16]
                  dropout: 0.0
            data:
              target: main.DataModuleFromConfig
              params:
                batch_size: 8
                train:
                  target: ldm.data.imagenet.ImageNetTrain
                  params:
                    data_root: builtin
                    config:
                      size: 256
            lightning:
              modelcheckpoint:
                params:
                  every_n_train_steps: 1000
              callbacks:
                image_logger:
                  target: main.ImageLogger
                  params:
                    batch_frequency: 1000
                    max_images: 8
              trainer:
                max_steps: 10000
                log_every_n_steps: 50
            svgjava:
              decoder: conv
              vit_decoder:
                hidden_size: 384
                depth: 6
                num_heads: 6
                mlp_ratio: 4.0
              seed: 0
            """;

    private AutoencoderYaml(Path user) throws IOException {
        super(DEFAULTS, user);
    }

    /** Defaults overlaid with a user file (null for none). */
    static AutoencoderYaml load(Path file) throws IOException {
        return new AutoencoderYaml(file);
    }

    /**
     * The {@code config.yaml} that train-autoencoder wrote for a checkpoint {@code out/checkpoints/step-*.safetensors}
     * (two folders up, where the official sampler looks for its config too), or null.
     */
    static Path besideCheckpoint(Path checkpoint) {
        Path parent = checkpoint.toAbsolutePath().getParent();
        Path run = parent == null ? null : parent.getParent();
        Path f = run == null ? null : run.resolve("config.yaml");
        return f != null && Files.isRegularFile(f) ? f : null;
    }

    int imageSize() {
        int model = get("model.params.ddconfig.resolution").asInt();
        int data = get("data.params.train.params.config.size").asInt();
        if (model != data) {
            throw new IllegalArgumentException("model.params.ddconfig.resolution (" + model
                    + ") differs from data.params.train.params.config.size (" + data + ")");
        }
        return model;
    }

    long seed() {
        return get("svgjava.seed").asLong();
    }

    Path dinoWeights() {
        JsonNode w = get("model.params.dinoconfig.weights");
        return w.isTextual() && !w.asText().isBlank() ? Path.of(w.asText()) : null;
    }

    DinoV3 loadDino() throws IOException {
        Path w = dinoWeights();
        return w == null ? DinoV3.random(DinoV3Config.vits16plus(), seed()) : DinoV3.load(w);
    }

    /** The autoencoder around {@code dino}; the decoder's latent width follows DINO's (written back). */
    SvgAutoencoderConfig config(DinoV3 dino) {
        int size = imageSize();
        int z = dino.config().embedDim() + ResidualEncoderConfig.official().outputDim();
        set("model.params.ddconfig.z_channels", z);
        ResidualEncoderConfig r = ResidualEncoderConfig.official();
        ResidualEncoderConfig res = new ResidualEncoderConfig(size, r.patchSize(), r.numLayers(), r.numHeads(),
                r.hiddenDim(), r.mlpDim(), r.outputDim(), r.dropout(), r.attentionDropout());
        JsonNode dd = get("model.params.ddconfig");
        JsonNode v = get("svgjava.vit_decoder");
        DecoderSpec dec = switch (get("svgjava.decoder").asText()) {
            case "vit" -> new VitDecoderConfig(z, size / 16, 16, v.path("hidden_size").asInt(), v.path("depth").asInt(),
                    v.path("num_heads").asInt(), v.path("mlp_ratio").asDouble());
            case "conv" -> new DecoderConfig(dd.path("ch").asInt(), ints(dd.path("ch_mult")),
                    dd.path("num_res_blocks").asInt(), ints(dd.path("attn_resolutions")), z, size,
                    dd.path("out_ch").asInt());
            default -> throw new IllegalArgumentException("svgjava.decoder must be conv or vit, not "
                    + get("svgjava.decoder").asText());
        };
        return new SvgAutoencoderConfig(dino.config(), res, dec, get("model.params.mask_ratio").asDouble(),
                get("model.params.extra_vit_config.use_outnorm").asBoolean(true), DistributionMatching.Mode.BATCH);
    }

    private static int[] ints(JsonNode list) {
        int[] out = new int[list.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = list.get(i).asInt();
        }
        return out;
    }

    Dataset dataset() throws IOException {
        int size = imageSize();
        String root = get("data.params.train.params.data_root").asText();
        return switch (root) {
            case "builtin" -> ProceduralDataset.of(Math.max(32, Math.min(size, 64)), 200, seed());
            case "fashion-mnist" -> FashionMnistDataset.load(FashionMnistDataset.Split.TRAIN);
            default -> ImageFolderDataset.open(Path.of(root));
        };
    }

    NLayerDiscriminator discriminator() {
        return NLayerDiscriminator.random(3, 64, get("model.params.lossconfig.params.disc_num_layers").asInt(3), seed() + 1);
    }

    AutoencoderTrainingStep.Settings step() {
        JsonNode loss = get("model.params.lossconfig.params");
        AutoencoderTrainingStep.Settings o = AutoencoderTrainingStep.Settings.official();
        return new AutoencoderTrainingStep.Settings(get("model.base_learning_rate").asDouble(), o.beta1(), o.beta2(),
                loss.path("disc_start").asLong(), loss.path("disc_weight").asDouble(), o.discFactor(),
                o.perceptualWeight());
    }

    AutoencoderTrainer.Settings trainer() {
        JsonNode t = get("lightning.trainer");
        return new AutoencoderTrainer.Settings(t.path("max_steps").asLong(), get("data.params.batch_size").asInt(),
                get("lightning.modelcheckpoint.params.every_n_train_steps").asLong(), t.path("log_every_n_steps").asLong(),
                3);
    }

    ReconstructionGrids.Settings reconstructionGrids() {
        JsonNode p = get("lightning.callbacks.image_logger.params");
        return new ReconstructionGrids.Settings(p.path("batch_frequency").asLong(), p.path("max_images").asInt());
    }
}
