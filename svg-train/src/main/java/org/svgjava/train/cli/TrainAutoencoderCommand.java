package org.svgjava.train.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.svgjava.encoder.autoencoder.SvgAutoencoder;
import org.svgjava.encoder.train.AutoencoderTrainingStep;
import org.svgjava.train.autoencoder.AutoencoderTrainer;
import org.svgjava.train.autoencoder.DatasetBatches;
import org.svgjava.train.autoencoder.ReconstructionGrids;
import org.svgjava.train.data.Dataset;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "train-autoencoder", mixinStandardHelpOptions = true,
        description = {"Stage 1: residual encoder + decoder behind the frozen DINOv3, with the PatchGAN from "
                + "--disc-start; official Adam(0.5, 0.9) settings; resumes from the newest checkpoint in --out.",
            "Writes the resolved configuration to OUT/config.yaml and reconstruction grids "
                + "OUT/reconstructions-step-*.png."})
final class TrainAutoencoderCommand implements Callable<Integer> {
    @Mixin
    AutoencoderOptions model;

    @Option(names = "--out", defaultValue = "runs/autoencoder", description = "output directory (default: ${DEFAULT-VALUE})")
    Path out;

    @Option(names = "--steps", description = "optimiser steps (lightning.trainer.max_steps; default 10000)")
    Long steps;

    @Option(names = "--batch-size", description = "batch size (data.params.batch_size; default 8)")
    Integer batchSize;

    @Option(names = "--lr", description = "learning rate (model.base_learning_rate; default 1.0e-04)")
    Double lr;

    @Option(names = "--disc-start", description = "optimiser step (two per batch, as the official counter) the "
            + "discriminator starts at (model.params.lossconfig.params.disc_start; default 5001)")
    Long discStart;

    @Option(names = "--ckpt-every", description = "checkpoint interval in steps "
            + "(lightning.modelcheckpoint.params.every_n_train_steps; default 1000)")
    Long ckptEvery;

    @Option(names = "--recon-every", description = "reconstruction grid interval in steps, 0 for none "
            + "(lightning.callbacks.image_logger.params.batch_frequency; default 1000)")
    Long reconEvery;

    @Override
    public Integer call() throws Exception {
        AutoencoderYaml cfg = model.resolve(null);
        cfg.set("lightning.trainer.max_steps", steps);
        cfg.set("data.params.batch_size", batchSize);
        cfg.set("model.base_learning_rate", lr);
        cfg.set("model.params.lossconfig.params.disc_start", discStart);
        cfg.set("lightning.modelcheckpoint.params.every_n_train_steps", ckptEvery);
        cfg.set("lightning.callbacks.image_logger.params.batch_frequency", reconEvery);
        var dino = cfg.loadDino();
        SvgAutoencoder ae = SvgAutoencoder.random(cfg.config(dino), dino, cfg.seed());
        cfg.write(out.resolve("config.yaml"));
        AutoencoderTrainingStep step = new AutoencoderTrainingStep(ae, cfg.discriminator(), null, cfg.step(), cfg.seed());
        Dataset data = cfg.dataset();
        var trainer = new AutoencoderTrainer(step, new DatasetBatches(data, cfg.imageSize(), cfg.seed(), true),
                cfg.trainer(), out).withProgress(Terminal.progress());
        ReconstructionGrids.Settings grids = cfg.reconstructionGrids();
        var eval = new DatasetBatches(data, cfg.imageSize(), cfg.seed(), false);
        trainer.run(new ReconstructionGrids(ae, ReconstructionGrids.fixedImages(eval, grids.images()), grids, out));
        System.out.printf("stage 1 done: checkpoints in %s, configuration %s%n", trainer.checkpointDir(),
                out.resolve("config.yaml"));
        return 0;
    }
}
