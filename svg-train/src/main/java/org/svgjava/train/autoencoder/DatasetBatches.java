package org.svgjava.train.autoencoder;

import java.util.Random;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.svgjava.encoder.image.Preprocess;
import org.svgjava.encoder.image.RgbImage;
import org.svgjava.train.data.Dataset;
import org.svgjava.train.data.EpochOrder;
import org.svgjava.train.data.LabeledImage;
import org.svgjava.train.data.Pixels;

/**
 * Stage-1 batches from a data set with the official autoencoder preprocessing (shortest side to {@code size},
 * random crop, {@code x/127.5 - 1}). Step k's batch is fixed by (seed, k): positions in per-epoch shuffles, crops
 * from a per-sample generator. Unreadable files are skipped (logged and counted by the data set) and the next
 * sample fills the place.
 */
public final class DatasetBatches implements AutoencoderTrainer.Batches {
    private final Dataset data;
    private final int size;
    private final long seed;
    private final boolean train;
    private long cachedEpoch = -1;
    private int[] perm;

    /** @param train random crops (training) or centre crops (evaluation) */
    public DatasetBatches(Dataset data, int size, long seed, boolean train) {
        this.data = data;
        this.size = size;
        this.seed = seed;
        this.train = train;
    }

    @Override
    public INDArray batch(long step, int n) {
        INDArray out = Nd4j.create(DataType.FLOAT, n, 3, size, size);
        long pos = step * n;
        for (int i = 0; i < n; ) {
            int idx = index(pos++);
            var sample = data.tryGet(idx);
            if (sample.isEmpty()) {
                continue;
            }
            out.slice(i).assign(image(sample.get(), new Random(seed * 1_000_003L + pos)));
            i++;
        }
        return out;
    }

    /**
     * Samples {@code start .. start+m} in the data set's order as {@code [m, 3, size, size]} (encoding and
     * evaluation; an unreadable sample is an error here, since the caller pairs images with indices).
     */
    public INDArray images(int start, int m) {
        INDArray out = Nd4j.create(DataType.FLOAT, m, 3, size, size);
        for (int i = 0; i < m; i++) {
            out.slice(i).assign(image(data.get(start + i), new Random(seed * 1_000_003L + start + i)));
        }
        return out;
    }

    /** One sample as {@code [3, size, size]} in [-1, 1]. */
    public INDArray image(LabeledImage li, Random rng) {
        Pixels p = li.pixels();
        RgbImage img = RgbImage.of(p.width(), p.height(), p.rgbBytes());
        RgbImage cropped = train ? Preprocess.autoencoderTrain(img, size, rng) : Preprocess.autoencoderEval(img, size);
        return Preprocess.toMinusOneOne(cropped);
    }

    private int index(long pos) {
        int count = data.size();
        long epoch = pos / count;
        if (epoch != cachedEpoch) {
            perm = EpochOrder.of(count, seed, epoch);
            cachedEpoch = epoch;
        }
        return perm[(int) (pos % count)];
    }
}
