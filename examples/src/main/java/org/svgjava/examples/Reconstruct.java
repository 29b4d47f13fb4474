package org.svgjava.examples;

import java.nio.file.Path;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.svgjava.encoder.autoencoder.SvgAutoencoder;
import org.svgjava.encoder.autoencoder.SvgAutoencoderConfig;
import org.svgjava.encoder.dino.DinoV3;
import org.svgjava.train.autoencoder.AutoencoderInference;
import org.svgjava.train.autoencoder.DatasetBatches;
import org.svgjava.train.checkpoint.Checkpoint;
import org.svgjava.train.data.Dataset;
import org.svgjava.train.data.ImageFolderDataset;
import org.svgjava.train.data.ProceduralDataset;
import org.svgjava.train.report.ReconstructionGrid;

/**
 * Images through the SVG autoencoder and back, as a grid of originals beside reconstructions with its PSNR:
 * <pre>
 * # the released autoencoder (holds DINOv3 too), 256 px
 * java -cp examples/target/svg-examples.jar org.svgjava.examples.Reconstruct --autoencoder svg_autoencoder.ckpt photos/
 * # a stage-1 checkpoint of TrainTwoStage (same --image-size, --seed and --dino as the training run)
 * java -cp examples/target/svg-examples.jar org.svgjava.examples.Reconstruct \
 *     --autoencoder runs/two-stage/autoencoder/checkpoints/step-0000300.safetensors --image-size 32
 * </pre>
 * Image files and folders follow the options; without any, the built-in procedural images are used. Writes
 * {@code --out} (default reconstructions.png).
 */
public final class Reconstruct {
    private Reconstruct() {
    }

    public static void main(String[] args) throws Exception {
        Args a = new Args(args);
        Path checkpoint = a.path("--autoencoder", null);
        if (checkpoint == null) {
            throw new IllegalArgumentException("give --autoencoder (an official .ckpt or a TrainTwoStage checkpoint)");
        }
        Path out = a.path("--out", Path.of("reconstructions.png"));
        long seed = a.integer("--seed", 0);
        SvgAutoencoder ae;
        int size;
        if (checkpoint.toString().endsWith(".ckpt")) {
            ae = SvgAutoencoder.load(checkpoint, SvgAutoencoderConfig.official());
            size = 256;
        } else {
            size = a.integer("--image-size", 32);
            DinoV3 dino = TrainTwoStage.dino(a.path("--dino", null), seed);
            ae = SvgAutoencoder.random(TrainTwoStage.autoencoderConfig(dino, size), dino, seed);
            Checkpoint.load(checkpoint).restore("autoencoder", ae.parameters());
        }
        List<Path> files = a.rest().stream().map(Path::of).toList();
        Dataset data = files.isEmpty() ? ProceduralDataset.of(size, 2, seed) : ImageFolderDataset.ofFiles(files);
        int n = Math.min(a.integer("--limit", 16), data.size());
        INDArray originals = new DatasetBatches(data, size, seed, false).images(0, n);
        INDArray reconstructions = AutoencoderInference.reconstruct(ae, originals, 16);
        double psnr = ReconstructionGrid.write(out, originals, reconstructions, 4);
        System.out.printf("%d images, PSNR %.2f dB -> %s%n", n, psnr, out.toAbsolutePath());
    }
}
