package org.svgjava.diffusion.flow;

import java.nio.file.Path;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.svgjava.core.io.StateDict;
import org.svgjava.core.io.TensorData;
import org.svgjava.core.io.WeightFileException;

/**
 * Per-channel statistics of the latent tokens, one mean and std per channel shared by every token: SVG trains the
 * SiT on {@code (x - mean) / std} and de-normalises samples before decoding. The official file
 * ({@code dinov3_sp_stats.pt}) holds {@code dinov3_sp_mean} and {@code dinov3_sp_std}, each {@code [1, 1, 392]}.
 */
public final class LatentStats {
    public static final String MEAN_KEY = "dinov3_sp_mean";
    public static final String STD_KEY = "dinov3_sp_std";

    private final INDArray mean;
    private final INDArray std;

    public LatentStats(INDArray mean, INDArray std) {
        if (mean.length() != std.length()) {
            throw new IllegalArgumentException("mean has " + mean.length() + " channels, std " + std.length());
        }
        this.mean = mean.castTo(DataType.FLOAT).reshape(mean.length()).dup();
        this.std = std.castTo(DataType.FLOAT).reshape(std.length()).dup();
    }

    /** Reads the official layout (torch or safetensors), taking the first {@code channels} channels. */
    public static LatentStats load(Path file, int channels) throws WeightFileException {
        StateDict sd = StateDict.load(file);
        TensorData m = sd.get(MEAN_KEY);
        TensorData s = sd.get(STD_KEY);
        if (m.numel() < channels || s.numel() < channels) {
            throw new WeightFileException(file, m.numel() < channels ? MEAN_KEY : STD_KEY, "has " + m.numel()
                    + " channels, fewer than the " + channels + " the model needs");
        }
        INDArray mean = m.toINDArray(DataType.FLOAT).reshape(m.numel()).get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, channels));
        INDArray std = s.toINDArray(DataType.FLOAT).reshape(s.numel()).get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, channels));
        return new LatentStats(mean, std);
    }

    /** The official layout: {@code [1, 1, C]} tensors under the official names. */
    public StateDict toStateDict() {
        return StateDict.of(java.util.Map.of(MEAN_KEY, TensorData.of(mean.reshape(1, 1, mean.length())),
                STD_KEY, TensorData.of(std.reshape(1, 1, std.length()))), null);
    }

    public int channels() {
        return (int) mean.length();
    }

    public INDArray mean() {
        return mean.dup();
    }

    public INDArray std() {
        return std.dup();
    }

    /** {@code (x - mean) / std} in place on tokens {@code [..., C]}. */
    public INDArray normalize(INDArray tokens) {
        INDArray rows = tokens.reshape('c', tokens.length() / channels(), channels());
        rows.subiRowVector(mean.castTo(tokens.dataType())).diviRowVector(std.castTo(tokens.dataType()));
        return tokens;
    }

    /** {@code x * std + mean} in place on tokens {@code [..., C]}. */
    public INDArray denormalize(INDArray tokens) {
        INDArray rows = tokens.reshape('c', tokens.length() / channels(), channels());
        rows.muliRowVector(std.castTo(tokens.dataType())).addiRowVector(mean.castTo(tokens.dataType()));
        return tokens;
    }

    /** Accumulates per-channel mean and (unbiased) std over a stream of token batches, in double (Welford). */
    public static final class Accumulator {
        private final int channels;
        private final double[] mean;
        private final double[] m2;
        private long count;

        public Accumulator(int channels) {
            this.channels = channels;
            this.mean = new double[channels];
            this.m2 = new double[channels];
        }

        /** Adds tokens {@code [..., C]}. */
        public void add(INDArray tokens) {
            double[] x = tokens.castTo(DataType.DOUBLE).dup('c').data().asDouble();
            for (int i = 0; i < x.length; i += channels) {
                count++;
                for (int c = 0; c < channels; c++) {
                    double d = x[i + c] - mean[c];
                    mean[c] += d / count;
                    m2[c] += d * (x[i + c] - mean[c]);
                }
            }
        }

        public long count() {
            return count;
        }

        public LatentStats result() {
            if (count < 2) {
                throw new IllegalStateException("statistics need at least two tokens, have " + count);
            }
            double[] std = new double[channels];
            for (int c = 0; c < channels; c++) {
                std[c] = Math.sqrt(m2[c] / (count - 1));
            }
            return new LatentStats(Nd4j.createFromArray(mean), Nd4j.createFromArray(std));
        }
    }
}
