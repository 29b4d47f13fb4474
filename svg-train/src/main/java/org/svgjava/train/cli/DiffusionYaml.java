package org.svgjava.train.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import org.svgjava.diffusion.model.SiTConfig;
import org.svgjava.diffusion.train.FlowTrainingStep;
import org.svgjava.train.diffusion.DiffusionTrainer;
import org.svgjava.train.diffusion.SampleGrids;

/**
 * The stage-2 configuration in the layout of the official {@code config/example_svg_xl.yaml} ({@code basic},
 * {@code model.params}, {@code optim}), so one file reads beside the other. Keys the official file lacks and
 * this trainer needs: {@code basic.total_steps}, {@code basic.warmup_steps}, {@code basic.ema_decay}, and the
 * sample grids written during training: {@code basic.sample_every} (0: none), {@code sample_classes},
 * {@code sample_per_class}, {@code sample_steps}, {@code sample_cfg}.
 */
final class DiffusionYaml extends YamlConfig {
    /** The official XL file's values, with a short default run length. */
    static final String DEFAULTS = """
            basic:
              exp_name: svg_diffusion
              results_dir: exps
              global_seed: 1234
              log_every: 100
              ckpt_every: 50000
              shift: 0.4
              accum_iter: 1
              clip_grad_norm:
              global_batch_size: 256
              total_steps: 400000
              warmup_steps: 0
              ema_decay: 0.9999
              sample_every: 10000
              sample_classes: 8
              sample_per_class: 4
              sample_steps: 5
              sample_cfg: 4.0
            model:
              params:
                input_size: 16
                num_classes: 1000
                patch_size: 1
                depth: 28
                hidden_size: 1152
                num_heads: 16
                mlp_ratio: 4
                in_channels: 392
                qk_norm: true
                class_dropout_prob: 0.1
            optim:
              base_learning_rate: 1.0e-04
              weight_decay: 0
              betas: [0.9, 0.999]
            """;

    private DiffusionYaml(Path user) throws IOException {
        super(DEFAULTS, user);
    }

    /** Defaults overlaid with a user file (null for none). */
    static DiffusionYaml load(Path file) throws IOException {
        return new DiffusionYaml(file);
    }

    SiTConfig model(int inChannels, int inputSize, int numClasses) {
        JsonNode p = get("model.params");
        return new SiTConfig("SiT", inChannels, inputSize, p.path("hidden_size").asInt(), p.path("depth").asInt(),
                p.path("num_heads").asInt(), p.path("mlp_ratio").asDouble(), numClasses, true,
                p.path("qk_norm").asBoolean(true), p.path("class_dropout_prob").asDouble());
    }

    DiffusionTrainer.Settings trainer() {
        JsonNode b = get("basic");
        JsonNode betas = get("optim.betas");
        double clip = b.path("clip_grad_norm").isNumber() ? b.path("clip_grad_norm").asDouble() : 0;
        FlowTrainingStep.Settings step = new FlowTrainingStep.Settings(get("optim.base_learning_rate").asDouble(),
                betas.path(0).asDouble(0.9), betas.path(1).asDouble(0.999), get("optim.weight_decay").asDouble(),
                b.path("ema_decay").asDouble(), b.path("shift").asDouble(), clip);
        long total = b.path("total_steps").asLong();
        return new DiffusionTrainer.Settings(total, b.path("global_batch_size").asInt(), b.path("accum_iter").asInt(1),
                b.path("warmup_steps").asLong(), b.path("ckpt_every").asLong(), b.path("log_every").asLong(), 3,
                b.path("global_seed").asLong(), step);
    }

    SampleGrids.Settings sampleGrids() {
        JsonNode b = get("basic");
        return new SampleGrids.Settings(b.path("sample_every").asLong(), b.path("sample_classes").asInt(),
                b.path("sample_per_class").asInt(), b.path("sample_steps").asInt(), b.path("sample_cfg").asDouble());
    }
}
