package org.svgjava.train.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.svgjava.encoder.autoencoder.SvgAutoencoder;
import org.svgjava.train.autoencoder.AutoencoderInference;
import org.svgjava.train.autoencoder.DatasetBatches;
import org.svgjava.train.data.Dataset;
import org.svgjava.train.data.ImageFolderDataset;
import org.svgjava.train.report.ReconstructionGrid;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "reconstruct", mixinStandardHelpOptions = true,
        description = {"Images through DINOv3 and the residual encoder into SVG latents and back through the decoder: "
                + "writes a PNG grid with each original beside its reconstruction and prints the PSNR of the 8-bit "
                + "images in it (mean squared error over all pixels).",
            "Images are centre-cropped to the model's size, as the official evaluation does; the distribution "
                + "matching uses the statistics of each --batch-size chunk. Writes OUT-config.yaml beside the grid."})
final class ReconstructCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    AutoencoderOptions model;

    @Parameters(arity = "0..*", paramLabel = "IMAGES",
            description = "image files and folders (walked); none: the first --limit images of --data")
    List<Path> images;

    @Option(names = "--autoencoder", required = true, description = AutoencoderOptions.CHECKPOINT_HELP)
    Path checkpoint;

    @Option(names = "--out", defaultValue = "reconstructions.png", description = "grid to write (default: ${DEFAULT-VALUE})")
    Path out;

    @Option(names = "--limit", defaultValue = "16", description = "reconstruct at most N images; 0 for all (default: ${DEFAULT-VALUE})")
    int limit;

    @Option(names = "--batch-size", defaultValue = "16", description = "images per encoder call (default: ${DEFAULT-VALUE})")
    int batchSize;

    @Option(names = "--pairs-per-row", defaultValue = "4", description = "original/reconstruction pairs per grid row "
            + "(default: ${DEFAULT-VALUE})")
    int pairsPerRow;

    @Override
    public Integer call() throws Exception {
        AutoencoderYaml cfg = model.resolve(checkpoint);
        SvgAutoencoder ae = Models.autoencoder(checkpoint, cfg);
        Dataset data = images == null || images.isEmpty() ? cfg.dataset() : ImageFolderDataset.ofFiles(images);
        int n = limit > 0 ? Math.min(limit, data.size()) : data.size();
        INDArray originals = new DatasetBatches(data, cfg.imageSize(), cfg.seed(), false).images(0, n);
        INDArray recon = AutoencoderInference.reconstruct(ae, originals, batchSize);
        double psnr = ReconstructionGrid.write(out, originals, recon, pairsPerRow);
        RunOptions.write(spec, RunOptions.besides(out), cfg);
        System.out.printf(Locale.ROOT, "%d images reconstructed: PSNR %.2f dB -> %s%n", n, psnr, out);
        return 0;
    }
}
