package org.svgjava.examples;

import java.nio.file.Path;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.svgjava.diffusion.flow.Guidance;
import org.svgjava.diffusion.flow.LatentGenerator;
import org.svgjava.diffusion.flow.LatentStats;
import org.svgjava.diffusion.model.SiT;
import org.svgjava.encoder.autoencoder.SvgAutoencoder;
import org.svgjava.encoder.autoencoder.SvgAutoencoderConfig;
import org.svgjava.train.report.ImageGrid;

/**
 * ImageNet-256 classes from the released SVG-XL weights:
 * <pre>
 * java -cp ... org.svgjava.examples.SampleImageNet --autoencoder svg_autoencoder.ckpt \
 *     --dit V1-SVG-XL-7000K-256x256.pt --stats dinov3_sp_stats.pt [--steps 25] [--cfg 4.0] [--out samples.png]
 * </pre>
 * The decoder, the SiT's EMA weights and the latent statistics are all generation needs (DINOv3 only encodes).
 * The defaults are the official demo's: Euler, 25 steps, shift 0.15, constant CFG 4.0, seed 0, its 16 labels.
 */
public final class SampleImageNet {
    private SampleImageNet() {
    }

    public static void main(String[] args) throws Exception {
        Args a = new Args(args);
        Path autoencoder = a.path("--autoencoder", null);
        Path dit = a.path("--dit", null);
        Path stats = a.path("--stats", null);
        Path out = a.path("--out", Path.of("samples.png"));
        int steps = a.integer("--steps", 25);
        double cfg = a.number("--cfg", 4.0);
        if (autoencoder == null || dit == null || stats == null) {
            throw new IllegalArgumentException("give --autoencoder, --dit and --stats");
        }
        long[] labels = {130, 270, 284, 688, 250, 146, 980, 484, 207, 360, 387, 974, 88, 979, 417, 279};
        SiT sit = SiT.load(dit);
        sit.inference(true);
        LatentStats s = LatentStats.load(stats, sit.config().inChannels());
        INDArray latents = new LatentGenerator(sit, s).sample(
                LatentGenerator.Request.of(labels, steps, cfg, 0).withGuidance(Guidance.constant(cfg)));
        SvgAutoencoder ae = SvgAutoencoder.load(autoencoder, SvgAutoencoderConfig.official());
        ae.inference(true);
        INDArray images = Transforms.min(Transforms.max(ae.decode(latents), -1.0, false), 1.0, false);
        ImageGrid.write(out, images, 8, 2);
        System.out.println("wrote " + out.toAbsolutePath());
    }
}
