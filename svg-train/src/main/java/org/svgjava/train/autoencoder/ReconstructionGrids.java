package org.svgjava.train.autoencoder;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.svgjava.encoder.autoencoder.SvgAutoencoder;
import org.svgjava.encoder.train.AutoencoderTrainingStep;
import org.svgjava.train.report.ReconstructionGrid;

/**
 * Stage 1's picture of progress, the official {@code ImageLogger}'s role: every {@code every} steps the same fixed
 * images go through the autoencoder in eval mode and {@code reconstructions-step-0001000.png} shows each original
 * beside its reconstruction. Eval mode draws no random numbers (no dropout, no mask), so the training run is the
 * same with or without the grids.
 */
public final class ReconstructionGrids implements AutoencoderTrainer.Listener {
    private static final Logger log = LoggerFactory.getLogger(ReconstructionGrids.class);

    /** {@code every} steps (0: never), {@code images} shown. */
    public record Settings(long every, int images) {
        public static Settings off() {
            return new Settings(0, 0);
        }
    }

    private final SvgAutoencoder ae;
    private final INDArray images;
    private final Settings settings;
    private final Path out;

    /** @param images {@code [N, 3, H, W]} in [-1, 1], the fixed images to show (the first {@code settings.images()}) */
    public ReconstructionGrids(SvgAutoencoder ae, INDArray images, Settings settings, Path out) {
        this.ae = ae;
        this.images = images;
        this.settings = settings;
        this.out = out;
    }

    /** The first {@code n} evaluation crops of a batch source (step 0). */
    public static INDArray fixedImages(AutoencoderTrainer.Batches evalBatches, int n) {
        return evalBatches.batch(0, Math.max(1, n));
    }

    public static Path fileFor(Path dir, long step) {
        return dir.resolve(String.format(Locale.ROOT, "reconstructions-step-%07d.png", step));
    }

    @Override
    public void afterStep(long step, AutoencoderTrainingStep.Result result) throws IOException {
        if (settings.every() > 0 && step % settings.every() == 0) {
            write(step);
        }
    }

    /** Writes the grid of {@code step}; returns its PSNR (8-bit, as in the PNG). */
    public double write(long step) throws IOException {
        INDArray recon = AutoencoderInference.reconstruct(ae, images, (int) images.size(0));
        Path f = fileFor(out, step);
        double psnr = ReconstructionGrid.write(f, images, recon, Math.min(4, (int) images.size(0)));
        log.info("step {}: reconstructions {} (PSNR {} dB)", step, f, String.format(Locale.ROOT, "%.2f", psnr));
        return psnr;
    }
}
