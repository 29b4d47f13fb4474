package org.svgjava.train.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.svgjava.encoder.autoencoder.SvgAutoencoder;
import org.svgjava.encoder.loss.NLayerDiscriminator;
import org.svgjava.encoder.train.AutoencoderTrainingStep;
import org.svgjava.train.autoencoder.AutoencoderTrainer;
import org.svgjava.train.autoencoder.DatasetBatches;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "train-autoencoder", mixinStandardHelpOptions = true,
        description = "Stage 1: residual encoder + decoder behind the frozen DINOv3, with the PatchGAN from "
                + "--disc-start; official Adam(0.5, 0.9) settings; resumes from the newest checkpoint in --out.")
final class TrainAutoencoderCommand implements Callable<Integer> {
    @Mixin
    AutoencoderOptions model;

    @Option(names = "--out", defaultValue = "runs/autoencoder", description = "output directory (default: ${DEFAULT-VALUE})")
    Path out;

    @Option(names = "--steps", defaultValue = "10000", description = "optimiser steps (default: ${DEFAULT-VALUE})")
    long steps;

    @Option(names = "--batch-size", defaultValue = "8", description = "batch size (default: ${DEFAULT-VALUE})")
    int batchSize;

    @Option(names = "--lr", defaultValue = "1e-4", description = "learning rate (default: ${DEFAULT-VALUE})")
    double lr;

    @Option(names = "--disc-start", defaultValue = "5001",
            description = "optimiser step (two per batch, as the official counter) the discriminator starts at (default: ${DEFAULT-VALUE})")
    long discStart;

    @Option(names = "--ckpt-every", defaultValue = "1000", description = "checkpoint interval (default: ${DEFAULT-VALUE})")
    long ckptEvery;

    @Override
    public Integer call() throws Exception {
        var dino = model.loadDino();
        SvgAutoencoder ae = SvgAutoencoder.random(model.config(dino), dino, model.seed);
        NLayerDiscriminator disc = NLayerDiscriminator.random(3, 64, 3, model.seed + 1);
        AutoencoderTrainingStep step = new AutoencoderTrainingStep(ae, disc, null,
                AutoencoderTrainingStep.Settings.official().withLr(lr).withDiscStart(discStart), model.seed);
        var batches = new DatasetBatches(model.dataset(), model.imageSize, model.seed, true);
        var trainer = new AutoencoderTrainer(step, batches,
                AutoencoderTrainer.Settings.defaults(steps, batchSize).withCheckpointEvery(ckptEvery), out);
        trainer.run();
        System.out.printf("stage 1 done: checkpoints in %s%n", trainer.checkpointDir());
        return 0;
    }
}
