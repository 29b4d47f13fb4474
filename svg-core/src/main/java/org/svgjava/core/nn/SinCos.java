package org.svgjava.core.nn;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The fixed sinusoidal tables of DiT/SiT: 2-D position embeddings and timestep frequencies. */
public final class SinCos {
    private SinCos() {
    }

    /**
     * MAE's 2-D sin-cos position table {@code [gridH*gridW, dim]} for token {@code n = row*gridW + col}: the
     * first half encodes the column, the second the row (MAE's meshgrid puts w first), each half as
     * {@code [sin(pos*w_k), cos(pos*w_k)]} with {@code w_k = 10000^(-k/(dim/4))}. Computed in double, as numpy does.
     */
    public static INDArray positionTable2d(int dim, int gridH, int gridW, DataType type) {
        if (dim % 4 != 0) {
            throw new IllegalArgumentException("2-D sin-cos embedding needs a width divisible by 4, got " + dim);
        }
        int q = dim / 4;
        double[] out = new double[gridH * gridW * dim];
        for (int row = 0; row < gridH; row++) {
            for (int col = 0; col < gridW; col++) {
                int base = (row * gridW + col) * dim;
                for (int k = 0; k < q; k++) {
                    double omega = 1.0 / Math.pow(10000, (double) k / q);
                    out[base + k] = Math.sin(col * omega);
                    out[base + q + k] = Math.cos(col * omega);
                    out[base + 2 * q + k] = Math.sin(row * omega);
                    out[base + 3 * q + k] = Math.cos(row * omega);
                }
            }
        }
        return Nd4j.create(out, new long[] {(long) gridH * gridW, dim}, 'c').castTo(type);
    }

    /**
     * DiT's timestep frequencies {@code [N, dim]}: {@code [cos(t*f), sin(t*f)]} (cos first) with
     * {@code f_k = exp(-ln(maxPeriod) * k / (dim/2))}, evaluated in float32 as the official code does; an odd dim gets
     * a zero column.
     */
    public static INDArray timestepFrequencies(double[] t, int dim, double maxPeriod, DataType type) {
        int half = dim / 2;
        float[] freqs = new float[half];
        for (int k = 0; k < half; k++) {
            freqs[k] = (float) Math.exp((float) (-Math.log(maxPeriod)) * (float) k / half);
        }
        double[] out = new double[t.length * dim];
        for (int n = 0; n < t.length; n++) {
            for (int k = 0; k < half; k++) {
                float arg = (float) t[n] * freqs[k];
                out[n * dim + k] = (float) Math.cos(arg);
                out[n * dim + half + k] = (float) Math.sin(arg);
            }
        }
        return Nd4j.create(out, new long[] {t.length, dim}, 'c').castTo(type);
    }
}
