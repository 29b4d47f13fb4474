package org.svgjava.train.cli;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.Callable;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.svgjava.core.io.SafeTensors;
import org.svgjava.diffusion.flow.Guidance;
import org.svgjava.diffusion.flow.LatentGenerator;
import org.svgjava.diffusion.flow.LatentStats;
import org.svgjava.diffusion.model.SiT;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "sample", mixinStandardHelpOptions = true,
        description = "Class-conditional sampling of SVG latents with a few Euler/Heun steps and classifier-free guidance.")
final class SampleCommand implements Callable<Integer> {
    @Option(names = "--dit", required = true,
            description = "SiT weights: the official SVG-XL .pt ({\"ema\": ...}) or an svg-java checkpoint")
    Path dit;

    @Option(names = "--stats", description = "latent statistics (dinov3_sp_stats.pt or .safetensors); none: raw latents")
    Path stats;

    @Option(names = "--labels", split = ",", defaultValue = "207,360,387,974,88,979,417,279",
            description = "class labels, comma separated (default: ${DEFAULT-VALUE})")
    long[] labels;

    @Option(names = "--steps", defaultValue = "25", description = "sampling steps (default: ${DEFAULT-VALUE})")
    int steps;

    @Option(names = "--cfg", defaultValue = "4.0", description = "guidance scale; 1 disables guidance (default: ${DEFAULT-VALUE})")
    double cfg;

    @Option(names = "--cfg-mode", defaultValue = "constant",
            description = "constant | linear | late | early-R | cfg_star-K-R (default: ${DEFAULT-VALUE})")
    String cfgMode;

    @Option(names = "--cfg-interval", split = ",", description = "guide only for t in [lo,hi], e.g. 0.1,0.9")
    double[] interval;

    @Option(names = "--shift", defaultValue = "0.15", description = "time shift of the grid (default: ${DEFAULT-VALUE})")
    double shift;

    @Option(names = "--solver", defaultValue = "EULER", description = "EULER | HEUN | DOPRI5 | SDE (default: ${DEFAULT-VALUE})")
    LatentGenerator.Solver solver;

    @Option(names = "--seed", defaultValue = "0", description = "noise seed (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--out", defaultValue = "samples.safetensors",
            description = "where the latents [B, C, H, W] are written (default: ${DEFAULT-VALUE})")
    Path out;

    @Override
    public Integer call() throws Exception {
        SiT model = Models.sit(dit);
        LatentStats s = stats == null ? null : LatentStats.load(stats, model.config().inChannels());
        Guidance g = Guidance.parse(cfgMode, cfg);
        if (interval != null) {
            g = g.withInterval(interval[0], interval[1]);
        }
        long t0 = System.nanoTime();
        INDArray latents = new LatentGenerator(model, s).sample(
                new LatentGenerator.Request(labels, steps, g, shift, seed, solver));
        SafeTensors.write(out, Map.of("latents", latents, "labels", org.nd4j.linalg.factory.Nd4j.createFromArray(labels)),
                Map.of("steps", Integer.toString(steps), "cfg", Double.toString(cfg), "seed", Long.toString(seed)));
        System.out.printf("%d latents %s in %.1f s -> %s%n", labels.length, Arrays.toString(latents.shape()),
                (System.nanoTime() - t0) / 1e9, out);
        return 0;
    }
}
