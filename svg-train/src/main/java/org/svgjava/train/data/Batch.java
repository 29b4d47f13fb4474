package org.svgjava.train.data;

import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * One mini-batch as the loader produced it.
 *
 * @param epoch       the epoch it belongs to
 * @param step        its index within the epoch
 * @param sampleShape the shape of one sample, e.g. {@code [3, H, W]}
 * @param data        {@code size * product(sampleShape)} floats, sample-major (C order)
 * @param labels      one class index per sample
 * @param indices     the dataset index of each sample, for debugging and for checking resume
 */
public record Batch(int epoch, int step, int[] sampleShape, float[] data, long[] labels, int[] indices) {
    public int size() {
        return labels.length;
    }

    /** {@code [size, sampleShape...]}. */
    public long[] shape() {
        long[] s = new long[sampleShape.length + 1];
        s[0] = size();
        for (int i = 0; i < sampleShape.length; i++) {
            s[i + 1] = sampleShape[i];
        }
        return s;
    }

    /** The samples as a new float array of {@link #shape()}, e.g. {@code [B, 3, H, W]}. */
    public INDArray features() {
        return Nd4j.create(data, shape(), DataType.FLOAT);
    }

    /** The labels as a {@code [B]} int64 array. */
    public INDArray labelArray() {
        return Nd4j.createFromArray(labels);
    }

    @Override
    public String toString() {
        return "Batch[epoch " + epoch + ", step " + step + ", shape " + Arrays.toString(shape()) + "]";
    }
}
