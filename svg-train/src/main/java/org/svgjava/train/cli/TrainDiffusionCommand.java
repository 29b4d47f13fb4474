package org.svgjava.train.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.nd4j.linalg.api.buffer.DataType;
import org.svgjava.diffusion.model.SiT;
import org.svgjava.train.diffusion.DiffusionTrainer;
import org.svgjava.train.diffusion.LatentCache;
import org.svgjava.train.diffusion.SampleGrids;
import org.svgjava.encoder.autoencoder.SvgAutoencoder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "train-diffusion", mixinStandardHelpOptions = true,
        description = {"Stage 2: trains the SiT on a latent cache; resumes from the newest checkpoint in --out.",
            "Writes the resolved configuration to OUT/config.yaml and sample grids OUT/samples-step-*.png, decoded "
                + "with --autoencoder, else previews of the first three latent channels."})
final class TrainDiffusionCommand implements Callable<Integer> {
    @Option(names = "--latents", required = true, description = "latent cache (.safetensors) with tokens, labels and statistics")
    Path latents;

    @Option(names = "--config", description = "YAML in the layout of the official example_svg_xl.yaml (default: its values)")
    Path config;

    @Option(names = "--out", defaultValue = "runs/diffusion", description = "output directory (default: ${DEFAULT-VALUE})")
    Path out;

    @Option(names = "--steps", description = "total optimiser steps (basic.total_steps; default 400000)")
    Long steps;

    @Option(names = "--batch-size", description = "batch size (basic.global_batch_size; default 256)")
    Integer batchSize;

    @Option(names = "--lr", description = "learning rate (optim.base_learning_rate; default 1.0e-04)")
    Double lr;

    @Option(names = "--warmup", description = "linear LR warm-up steps (basic.warmup_steps; default 0)")
    Long warmup;

    @Option(names = "--grad-accum", description = "micro-batches per step (basic.accum_iter; default 1)")
    Integer gradAccum;

    @Option(names = "--clip", description = "gradient-norm clipping, 0 for none (basic.clip_grad_norm; default none)")
    Double clip;

    @Option(names = "--ckpt-every", description = "checkpoint interval in steps (basic.ckpt_every; default 50000)")
    Long ckptEvery;

    @Option(names = "--seed", description = "run seed (basic.global_seed; default 1234)")
    Long seed;

    @Option(names = {"--depth"}, description = "transformer depth (model.params.depth; default 28)")
    Integer depth;

    @Option(names = {"--hidden-size"}, description = "width (model.params.hidden_size; default 1152)")
    Integer hidden;

    @Option(names = {"--heads"}, description = "attention heads (model.params.num_heads; default 16)")
    Integer heads;

    @Option(names = "--sample-every", description = "sample grid interval in steps, 0 for none (basic.sample_every; default 10000)")
    Long sampleEvery;

    @Mixin
    DecoderOptions decoder;

    @Override
    public Integer call() throws Exception {
        DiffusionYaml cfg = DiffusionYaml.load(config);
        cfg.set("basic.total_steps", steps);
        cfg.set("basic.global_batch_size", batchSize);
        cfg.set("optim.base_learning_rate", lr);
        cfg.set("basic.warmup_steps", warmup);
        cfg.set("basic.accum_iter", gradAccum);
        cfg.set("basic.clip_grad_norm", clip);
        cfg.set("basic.ckpt_every", ckptEvery);
        cfg.set("basic.global_seed", seed);
        cfg.set("model.params.depth", depth);
        cfg.set("model.params.hidden_size", hidden);
        cfg.set("model.params.num_heads", heads);
        cfg.set("basic.sample_every", sampleEvery);
        LatentCache cache = LatentCache.read(latents);
        int side = (int) Math.round(Math.sqrt(cache.tokens().size(1)));
        SiT model = new SiT(cfg.model((int) cache.tokens().size(2), side, cache.numClasses()));
        model.build(DataType.FLOAT);
        model.initialize(cfg.get("basic.global_seed").asLong());
        cfg.write(out.resolve("config.yaml"));
        DiffusionTrainer trainer = new DiffusionTrainer(model, cache, cfg.trainer(), out).withProgress(Terminal.progress());
        AutoencoderYaml aeCfg = decoder.config();
        SvgAutoencoder ae = aeCfg == null ? null : Models.autoencoder(decoder.autoencoder, aeCfg);
        trainer.run(new SampleGrids(trainer, ae, cfg.sampleGrids(), out));
        System.out.printf("stage 2 done: checkpoints in %s, metrics in %s%n", trainer.checkpointDir(),
                trainer.metricsFile());
        return 0;
    }
}
