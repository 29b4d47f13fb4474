package org.svgjava.train.cli;

import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.Callable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.svgjava.encoder.autoencoder.SvgAutoencoder;
import org.svgjava.train.autoencoder.DatasetBatches;
import org.svgjava.train.checkpoint.Checkpoint;
import org.svgjava.train.data.Dataset;
import org.svgjava.train.diffusion.LatentCache;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "encode", mixinStandardHelpOptions = true,
        description = "Encodes a data set once through the frozen DINOv3 and the trained residual encoder into a "
                + "latent cache (tokens, labels, per-channel statistics) for train-diffusion.")
final class EncodeCommand implements Callable<Integer> {
    @Mixin
    AutoencoderOptions model;

    @Option(names = "--autoencoder", required = true,
            description = "stage-1 checkpoint of train-autoencoder (step-*.safetensors), built with the same options")
    Path checkpoint;

    @Option(names = "--out", defaultValue = "latents.safetensors", description = "latent cache to write (default: ${DEFAULT-VALUE})")
    Path out;

    @Option(names = "--limit", defaultValue = "0", description = "encode only the first N images; 0 for all (default: ${DEFAULT-VALUE})")
    int limit;

    @Option(names = "--batch-size", defaultValue = "32", description = "images per encoder call (default: ${DEFAULT-VALUE})")
    int batchSize;

    @Override
    public Integer call() throws Exception {
        var dino = model.loadDino();
        SvgAutoencoder ae = SvgAutoencoder.random(model.config(dino), dino, model.seed);
        Checkpoint.load(checkpoint).restore("autoencoder", ae.parameters());
        Dataset data = model.dataset();
        DatasetBatches crops = new DatasetBatches(data, model.imageSize, model.seed, false);
        int n = limit > 0 ? Math.min(limit, data.size()) : data.size();
        long[] labels = new long[n];
        for (int i = 0; i < n; i++) {
            labels[i] = data.label(i);
        }
        LatentCache cache = LatentCache.encode(ae, (start, m) -> {
            INDArray imgs = Nd4j.create(DataType.FLOAT, m, 3, model.imageSize, model.imageSize);
            for (int i = 0; i < m; i++) {
                imgs.slice(i).assign(crops.image(data.get(start + i), new Random(0)));
            }
            return imgs;
        }, labels, data.numClasses(), batchSize);
        cache.write(out);
        INDArray tokens = cache.tokens();
        System.out.printf("%d images encoded to %s: tokens %s%n", n, out, java.util.Arrays.toString(tokens.shape()));
        return 0;
    }
}
