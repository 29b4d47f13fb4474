package org.svgjava.train.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.svgjava.diffusion.model.SiTConfig;
import org.svgjava.diffusion.train.FlowTrainingStep;
import org.svgjava.train.diffusion.DiffusionTrainer;

/**
 * The stage-2 configuration in the layout of the official {@code config/example_svg_xl.yaml} ({@code basic},
 * {@code model.params}, {@code optim}), so one file reads beside the other. Keys the official file lacks and
 * this trainer needs: {@code basic.total_steps}, {@code basic.warmup_steps}, {@code basic.ema_decay}.
 */
final class DiffusionYaml {
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    final ObjectNode root;

    private DiffusionYaml(ObjectNode root) {
        this.root = root;
    }

    /** The official XL file's values, with a short default run length. */
    static DiffusionYaml defaults() {
        try {
            return new DiffusionYaml((ObjectNode) YAML.readTree("""
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
                    """));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Defaults overlaid with a user file (only the keys it sets). */
    static DiffusionYaml load(Path file) throws IOException {
        DiffusionYaml d = defaults();
        if (file != null) {
            JsonNode user = YAML.readTree(file.toFile());
            if (user == null || !user.isObject()) {
                throw new IOException(file + ": not a YAML mapping");
            }
            merge(d.root, (ObjectNode) user);
        }
        return d;
    }

    private static void merge(ObjectNode into, ObjectNode from) {
        from.fields().forEachRemaining(e -> {
            JsonNode existing = into.get(e.getKey());
            if (existing instanceof ObjectNode o && e.getValue() instanceof ObjectNode n) {
                merge(o, n);
            } else {
                into.set(e.getKey(), e.getValue());
            }
        });
    }

    void set(String path, Object value) {
        if (value == null) {
            return;
        }
        String[] parts = path.split("\\.");
        ObjectNode node = root;
        for (int i = 0; i < parts.length - 1; i++) {
            node = node.with(parts[i]);
        }
        node.set(parts[parts.length - 1], YAML.valueToTree(value));
    }

    JsonNode get(String path) {
        JsonNode n = root;
        for (String p : path.split("\\.")) {
            n = n.path(p);
        }
        return n;
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

    void write(Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        YAML.writeValue(file.toFile(), root);
    }
}
