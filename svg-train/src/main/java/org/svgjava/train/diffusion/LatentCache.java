package org.svgjava.train.diffusion;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.svgjava.core.io.SafeTensors;
import org.svgjava.core.io.WeightFileException;
import org.svgjava.diffusion.flow.LatentStats;
import org.svgjava.encoder.autoencoder.SvgAutoencoder;
import org.svgjava.train.report.Progress;

/**
 * The data set of stage 2, encoded once: latent tokens {@code [N, T, C]} (as the autoencoder produced them, not
 * normalised), their labels, and the per-channel statistics, in one safetensors file. Training the SiT then reads
 * this file instead of running the frozen encoder at every step.
 */
public record LatentCache(INDArray tokens, long[] labels, LatentStats stats, int numClasses) {
    public LatentCache {
        if (tokens.size(0) != labels.length) {
            throw new IllegalArgumentException(tokens.size(0) + " latents but " + labels.length + " labels");
        }
    }

    /** Images {@code [m, 3, H, W]} in [-1, 1] for positions {@code start .. start+m} of a data set. */
    @FunctionalInterface
    public interface Images {
        INDArray get(int start, int m);
    }

    /**
     * Encodes {@code labels.length} images in chunks through the autoencoder (eval mode, no activations kept) into
     * tokens {@code [N, H*W, C]} and their per-channel statistics.
     */
    public static LatentCache encode(SvgAutoencoder ae, Images images, long[] labels, int numClasses, int chunk) {
        return encode(ae, images, labels, numClasses, chunk, Progress.LOG);
    }

    /** {@link #encode(SvgAutoencoder, Images, long[], int, int)}, showing the progress on {@code progress}. */
    public static LatentCache encode(SvgAutoencoder ae, Images images, long[] labels, int numClasses, int chunk,
                                     Progress.Display progress) {
        ae.train(false);
        ae.inference(true);
        int n = labels.length;
        INDArray tokens = null;
        Progress bar = progress.start("encode", n, 0, Math.max(chunk, n / 10));
        for (int start = 0; start < n; start += chunk) {
            int m = Math.min(chunk, n - start);
            INDArray latent = ae.encode(images.get(start, m));
            long hw = latent.size(2) * latent.size(3);
            if (tokens == null) {
                tokens = Nd4j.create(DataType.FLOAT, n, hw, latent.size(1));
            }
            tokens.get(NDArrayIndex.interval(start, start + m))
                    .assign(latent.reshape('c', m, latent.size(1), hw).permute(0, 2, 1));
            bar.update(start + m, "images");
        }
        LatentStats.Accumulator acc = new LatentStats.Accumulator((int) tokens.size(2));
        acc.add(tokens);
        return new LatentCache(tokens, labels, acc.result(), numClasses);
    }

    public int size() {
        return labels.length;
    }

    public void write(Path file) throws IOException {
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("tokens", tokens);
        t.put("labels", Nd4j.createFromArray(labels));
        t.put(LatentStats.MEAN_KEY, stats.mean().reshape(1, 1, stats.channels()));
        t.put(LatentStats.STD_KEY, stats.std().reshape(1, 1, stats.channels()));
        SafeTensors.write(file, t, Map.of("num_classes", Integer.toString(numClasses), "format", "svg-java latents 1"));
    }

    public static LatentCache read(Path file) throws WeightFileException {
        SafeTensors.Contents c = SafeTensors.read(file);
        String classes = c.metadata().get("num_classes");
        if (classes == null) {
            throw new WeightFileException(file, null, "is not an svg-java latent cache (no num_classes in its metadata)");
        }
        LatentStats stats = new LatentStats(c.get(LatentStats.MEAN_KEY).toINDArray(DataType.FLOAT),
                c.get(LatentStats.STD_KEY).toINDArray(DataType.FLOAT));
        return new LatentCache(c.get("tokens").toINDArray(DataType.FLOAT), c.get("labels").toLongArray(), stats,
                Integer.parseInt(classes));
    }
}
