package org.svgjava.examples;

import java.io.IOException;
import java.nio.file.Path;
import org.nd4j.linalg.api.buffer.DataType;
import org.svgjava.diffusion.model.SiT;
import org.svgjava.diffusion.model.SiTConfig;
import org.svgjava.diffusion.train.FlowTrainingStep;
import org.svgjava.encoder.autoencoder.DistributionMatching;
import org.svgjava.encoder.autoencoder.ResidualEncoderConfig;
import org.svgjava.encoder.autoencoder.SvgAutoencoder;
import org.svgjava.encoder.autoencoder.SvgAutoencoderConfig;
import org.svgjava.encoder.decoder.VitDecoderConfig;
import org.svgjava.encoder.dino.DinoV3;
import org.svgjava.encoder.dino.DinoV3Config;
import org.svgjava.encoder.loss.NLayerDiscriminator;
import org.svgjava.encoder.train.AutoencoderTrainingStep;
import org.svgjava.train.autoencoder.AutoencoderTrainer;
import org.svgjava.train.autoencoder.DatasetBatches;
import org.svgjava.train.autoencoder.ReconstructionGrids;
import org.svgjava.train.data.Dataset;
import org.svgjava.train.data.ImageFolderDataset;
import org.svgjava.train.data.ProceduralDataset;
import org.svgjava.train.diffusion.DiffusionTrainer;
import org.svgjava.train.diffusion.LatentCache;
import org.svgjava.train.diffusion.SampleGrids;

/**
 * SVG's two stages on your images (an ImageFolder: {@code DIR/<class>/<image>}) or the built-in procedural
 * classes, small enough for a CPU:
 * <pre>
 * mvn -B -q -DskipTests package
 * java -cp examples/target/svg-examples.jar org.svgjava.examples.TrainTwoStage \
 *     [--data DIR] [--dino dinov3_vits16plus_pretrain_lvd1689m-4057cbaa.pth] [--out runs/two-stage] \
 *     [--image-size 32] [--ae-steps 300] [--dit-steps 1500] [--seed 0] [--per-class 100 (built-in data)]
 * </pre>
 * Stage 1 trains the residual encoder and a small ViT decoder behind the frozen DINOv3 (a seeded random
 * ViT-S/16+ without {@code --dino}); the data set is then encoded once into a latent cache; stage 2 trains a
 * small SiT on it. Output: {@code OUT/autoencoder} (checkpoints, reconstruction grids), {@code OUT/latents.safetensors},
 * {@code OUT/diffusion} (checkpoints, sample grids with one row per class). Sizes here are toy sizes; the
 * official ones are {@code SvgAutoencoderConfig.official()} and {@code SiTConfig} XL.
 */
public final class TrainTwoStage {
    private TrainTwoStage() {
    }

    /** The stage-1 model of this example (Reconstruct rebuilds it to read the checkpoints). */
    public static SvgAutoencoderConfig autoencoderConfig(DinoV3 dino, int imageSize) {
        int z = dino.config().embedDim() + 8;
        return new SvgAutoencoderConfig(dino.config(), new ResidualEncoderConfig(imageSize, 16, 2, 4, 128, 256, 8, 0.1, 0.1),
                new VitDecoderConfig(z, imageSize / 16, 16, 256, 4, 4, 4.0), 0.1, true, DistributionMatching.Mode.BATCH);
    }

    /** DINOv3 from its weights, or the seeded stand-in of the same architecture. */
    public static DinoV3 dino(Path weights, long seed) throws IOException {
        return weights == null ? DinoV3.random(DinoV3Config.vits16plus(), seed) : DinoV3.load(weights);
    }

    public static void main(String[] args) throws Exception {
        Args a = new Args(args);
        Path out = a.path("--out", Path.of("runs/two-stage"));
        int size = a.integer("--image-size", 32);
        int aeSteps = a.integer("--ae-steps", 300);
        int ditSteps = a.integer("--dit-steps", 1500);
        long seed = a.integer("--seed", 0);
        Path dir = a.path("--data", null);
        Dataset data = dir == null ? ProceduralDataset.of(size, a.integer("--per-class", 100), seed)
                : ImageFolderDataset.open(dir);

        // stage 1: residual encoder + decoder (the PatchGAN joins at the official step 5001, past a short run)
        DinoV3 dino = dino(a.path("--dino", null), seed);
        SvgAutoencoder ae = SvgAutoencoder.random(autoencoderConfig(dino, size), dino, seed);
        var step = new AutoencoderTrainingStep(ae, NLayerDiscriminator.random(3, 16, 2, seed + 1), null,
                AutoencoderTrainingStep.Settings.official().withLr(4e-4), seed);
        DatasetBatches eval = new DatasetBatches(data, size, seed, false);
        Path stage1 = out.resolve("autoencoder");
        new AutoencoderTrainer(step, new DatasetBatches(data, size, seed, true),
                AutoencoderTrainer.Settings.defaults(aeSteps, 16), stage1)
                .run(new ReconstructionGrids(ae, ReconstructionGrids.fixedImages(eval, 8),
                        new ReconstructionGrids.Settings(Math.max(1, aeSteps / 4), 8), stage1));

        // the latent cache: every image once through DINOv3 + residual encoder
        long[] labels = new long[data.size()];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = data.label(i);
        }
        LatentCache cache = LatentCache.encode(ae, eval::images, labels, data.numClasses(), 64);
        cache.write(out.resolve("latents.safetensors"));

        // stage 2: a small SiT with rectified flow on the normalised latent tokens
        int side = (int) Math.round(Math.sqrt(cache.tokens().size(1)));
        // wider than the 392 latent channels: a narrower final Linear cannot move every channel away from the noise
        SiT sit = new SiT(new SiTConfig("SiT-toy", (int) cache.tokens().size(2), side, 448, 4, 7, 4.0,
                data.numClasses(), true, true, 0.1));
        sit.build(DataType.FLOAT);
        sit.initialize(seed);
        DiffusionTrainer trainer = new DiffusionTrainer(sit, cache, DiffusionTrainer.Settings.defaults(ditSteps, 64)
                .withStep(FlowTrainingStep.Settings.official().withLr(1e-3).withEmaDecay(0.995)).withSeed(seed),
                out.resolve("diffusion"));
        SampleGrids grids = new SampleGrids(trainer, ae, new SampleGrids.Settings(Math.max(1, ditSteps / 4),
                Math.min(10, data.numClasses()), 4, 5, 4.0), out.resolve("diffusion"));
        trainer.run(grids);
        System.out.println("stage 1: " + stage1.toAbsolutePath());
        System.out.println("latents: " + out.resolve("latents.safetensors").toAbsolutePath());
        System.out.println("stage 2 and samples: " + out.resolve("diffusion").toAbsolutePath());
    }
}
