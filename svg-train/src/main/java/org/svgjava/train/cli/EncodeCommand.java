package org.svgjava.train.cli;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;
import org.svgjava.encoder.autoencoder.SvgAutoencoder;
import org.svgjava.train.autoencoder.DatasetBatches;
import org.svgjava.train.data.Dataset;
import org.svgjava.train.diffusion.LatentCache;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "encode", mixinStandardHelpOptions = true,
        description = "Encodes a data set once through the frozen DINOv3 and the trained residual encoder into a "
                + "latent cache (tokens, labels, per-channel statistics) for train-diffusion.")
final class EncodeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    AutoencoderOptions model;

    @Option(names = "--autoencoder", required = true, description = AutoencoderOptions.CHECKPOINT_HELP)
    Path checkpoint;

    @Option(names = "--out", defaultValue = "latents.safetensors", description = "latent cache to write (default: ${DEFAULT-VALUE})")
    Path out;

    @Option(names = "--limit", defaultValue = "0", description = "encode only the first N images; 0 for all (default: ${DEFAULT-VALUE})")
    int limit;

    @Option(names = "--batch-size", defaultValue = "32", description = "images per encoder call (default: ${DEFAULT-VALUE})")
    int batchSize;

    @Override
    public Integer call() throws Exception {
        AutoencoderYaml cfg = model.resolve(checkpoint);
        SvgAutoencoder ae = Models.autoencoder(checkpoint, cfg);
        Dataset data = cfg.dataset();
        int n = limit > 0 ? Math.min(limit, data.size()) : data.size();
        long[] labels = new long[n];
        for (int i = 0; i < n; i++) {
            labels[i] = data.label(i);
        }
        DatasetBatches crops = new DatasetBatches(data, cfg.imageSize(), cfg.seed(), false);
        LatentCache cache = LatentCache.encode(ae, crops::images, labels, data.numClasses(), batchSize,
                Terminal.progress());
        cache.write(out);
        RunOptions.write(spec, RunOptions.besides(out), cfg);
        System.out.printf("%d images encoded to %s: tokens %s%n", n, out, Arrays.toString(cache.tokens().shape()));
        return 0;
    }
}
