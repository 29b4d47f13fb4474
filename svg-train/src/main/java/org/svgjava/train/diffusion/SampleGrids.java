package org.svgjava.train.diffusion;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.svgjava.diffusion.flow.Guidance;
import org.svgjava.diffusion.flow.LatentGenerator;
import org.svgjava.diffusion.flow.TimeShift;
import org.svgjava.encoder.autoencoder.SvgAutoencoder;
import org.svgjava.train.autoencoder.AutoencoderInference;
import org.svgjava.train.report.ImageGrid;

/**
 * Stage 2's picture of progress: every {@code every} steps a few classes are sampled from the EMA model with a
 * few Euler steps and classifier-free guidance (fixed noise, so grids of different steps compare), decoded when
 * an autoencoder is given, and written as {@code samples-step-0010000.png}, one row per class. Without a decoder
 * the grid shows the first three latent channels (normalised, so +-2 std spans the grey range) as a preview.
 * Sampling uses the EMA copy and its own noise generator, so the training run is the same with or without it.
 */
public final class SampleGrids implements DiffusionTrainer.Listener {
    private static final Logger log = LoggerFactory.getLogger(SampleGrids.class);

    /** {@code every} steps (0: never), {@code classes} rows of {@code perClass} samples, Euler steps, CFG scale. */
    public record Settings(long every, int classes, int perClass, int steps, double cfg) {
        public static Settings off() {
            return new Settings(0, 0, 0, 0, 1);
        }
    }

    private final DiffusionTrainer trainer;
    private final SvgAutoencoder decoder;
    private final Settings settings;
    private final Path out;

    /** @param decoder the stage-1 autoencoder, or null for latent previews */
    public SampleGrids(DiffusionTrainer trainer, SvgAutoencoder decoder, Settings settings, Path out) {
        this.trainer = trainer;
        this.decoder = decoder;
        this.settings = settings;
        this.out = out;
    }

    public static Path fileFor(Path dir, long step) {
        return dir.resolve(String.format(Locale.ROOT, "samples-step-%07d.png", step));
    }

    /** {@code perClass} copies of each class, class by class: the labels of a grid with one row per class. */
    public static long[] rows(long[] classes, int perClass) {
        long[] labels = new long[classes.length * perClass];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = classes[i / perClass];
        }
        return labels;
    }

    /** {@code n} classes spread evenly over {@code 0 .. numClasses-1}. */
    static long[] spread(int n, int numClasses) {
        int k = Math.min(n, numClasses);
        long[] c = new long[k];
        for (int i = 0; i < k; i++) {
            c[i] = (long) i * numClasses / k;
        }
        return c;
    }

    @Override
    public void afterStep(long step, double loss) throws IOException {
        if (settings.every() > 0 && step % settings.every() == 0) {
            write(step);
        }
    }

    /** Samples and writes the grid of {@code step}. */
    public Path write(long step) throws IOException {
        LatentCache data = trainer.data();
        long[] labels = rows(spread(settings.classes(), data.numClasses()), settings.perClass());
        LatentGenerator.Request r = new LatentGenerator.Request(labels, settings.steps(),
                Guidance.constant(settings.cfg()), TimeShift.SAMPLE, 0, LatentGenerator.Solver.EULER);
        INDArray images;
        if (decoder != null) {
            INDArray latents = new LatentGenerator(trainer.emaModel(), data.stats()).sample(r);
            images = AutoencoderInference.decode(decoder, latents, labels.length);
        } else {
            INDArray normalised = new LatentGenerator(trainer.emaModel(), null).sample(r);
            images = Transforms.min(Transforms.max(normalised.get(NDArrayIndex.all(), NDArrayIndex.interval(0, 3))
                    .div(2), -1.0, false), 1.0, false);
        }
        Path f = fileFor(out, step);
        ImageGrid.write(f, images, settings.perClass(), 2);
        log.info("step {}: samples {}", step, f);
        return f;
    }
}
