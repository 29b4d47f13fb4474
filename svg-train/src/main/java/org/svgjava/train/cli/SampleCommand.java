package org.svgjava.train.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.svgjava.core.io.SafeTensors;
import org.svgjava.diffusion.flow.Guidance;
import org.svgjava.diffusion.flow.LatentGenerator;
import org.svgjava.diffusion.flow.LatentStats;
import org.svgjava.diffusion.model.SiT;
import org.svgjava.train.autoencoder.AutoencoderInference;
import org.svgjava.train.data.Pixels;
import org.svgjava.train.diffusion.SampleGrids;
import org.svgjava.train.report.ImageGrid;
import org.svgjava.train.report.Progress;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "sample", mixinStandardHelpOptions = true,
        description = {"Class-conditional sampling of SVG latents with a few Euler/Heun steps and classifier-free "
                + "guidance; with --autoencoder also decoded to a PNG grid (one row per label) and, with --png-dir, "
                + "single PNGs. Writes OUT-config.yaml beside the latents."})
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

    @Option(names = "--per-class", defaultValue = "1",
            description = "samples of each label: one grid row per label (default: ${DEFAULT-VALUE})")
    int perClass;

    @Option(names = "--batch-size", defaultValue = "16", description = "samples per SiT call; batch i uses noise seed "
            + "--seed + i (default: ${DEFAULT-VALUE})")
    int batchSize;

    @Option(names = "--out", defaultValue = "samples.safetensors",
            description = "where the latents [B, C, H, W] are written (default: ${DEFAULT-VALUE})")
    Path out;

    @Mixin
    DecoderOptions decoder;

    @Option(names = "--grid", description = "with --autoencoder: PNG grid, one row per label "
            + "(default: --out with the extension .png)")
    Path grid;

    @Option(names = "--png-dir", description = "with --autoencoder: also one PNG per sample, class-LABEL-K.png, here")
    Path pngDir;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        SiT model = Models.sit(dit);
        LatentStats s = stats == null ? null : LatentStats.load(stats, model.config().inChannels());
        Guidance g = Guidance.parse(cfgMode, cfg);
        if (interval != null) {
            g = g.withInterval(interval[0], interval[1]);
        }
        long t0 = System.nanoTime();
        long[] all = SampleGrids.rows(labels, perClass);
        LatentGenerator generator = new LatentGenerator(model, s);
        INDArray latents = null;
        Progress bar = Terminal.progress().start("sample", all.length, 0, batchSize);
        for (int i = 0, start = 0; start < all.length; i++, start += batchSize) {
            long[] chunk = Arrays.copyOfRange(all, start, Math.min(all.length, start + batchSize));
            INDArray z = generator.sample(new LatentGenerator.Request(chunk, steps, g, shift, seed + i, solver));
            if (latents == null) {
                latents = Nd4j.create(z.dataType(), all.length, z.size(1), z.size(2), z.size(3));
            }
            latents.get(NDArrayIndex.interval(start, start + chunk.length)).assign(z);
            bar.update(start + chunk.length, "samples");
        }
        SafeTensors.write(out, Map.of("latents", latents, "labels", Nd4j.createFromArray(all)),
                Map.of("steps", Integer.toString(steps), "cfg", Double.toString(cfg), "seed", Long.toString(seed)));
        System.out.printf("%d latents %s in %.1f s -> %s%n", all.length, Arrays.toString(latents.shape()),
                (System.nanoTime() - t0) / 1e9, out);
        AutoencoderYaml aeCfg = decoder.config();
        if (aeCfg != null) {
            INDArray images = AutoencoderInference.decode(Models.autoencoder(decoder.autoencoder, aeCfg), latents,
                    batchSize);
            Path png = grid != null ? grid : RunOptions.sibling(out, ".png");
            ImageGrid.write(png, images, perClass, 2);
            System.out.printf("%d images decoded -> %s%n", all.length, png);
            if (pngDir != null) {
                writeEach(ImageGrid.fromMinusOneOne(images), all);
            }
        }
        RunOptions.write(spec, RunOptions.besides(out), aeCfg);
        return 0;
    }

    private void writeEach(List<Pixels> images, long[] all) throws IOException {
        Files.createDirectories(pngDir);
        for (int i = 0; i < images.size(); i++) {
            ImageGrid.write(pngDir.resolve(String.format(Locale.ROOT, "class-%d-%d.png", all[i], i % perClass)),
                    List.of(images.get(i)), 1, 0);
        }
        System.out.printf("%d PNGs -> %s%n", images.size(), pngDir);
    }
}
