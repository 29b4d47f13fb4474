package org.svgjava.encoder.dino;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * DINOv3's axial 2-D RoPE tables, evaluated in fp32 in the official order: coordinates {@code 2 (i + 0.5)/n - 1}
 * per axis ("separate" normalisation), angles {@code (2 pi * coord) / period} by division, y periods then x
 * periods, tiled twice to the head dimension. Eval semantics only (no coordinate augmentation).
 */
public final class RopeTables {
    private RopeTables() {
    }

    /** Periods {@code base^(2j / (headDim/2))}, j < headDim/4, in fp32 (what Hugging Face recomputes). */
    public static float[] periods(int headDim, double base) {
        float[] p = new float[headDim / 4];
        for (int j = 0; j < p.length; j++) {
            p[j] = (float) Math.pow((float) base, (float) (2 * j) / (headDim / 2));
        }
        return p;
    }

    /**
     * The periods Meta's released weights carry: {@link #periods} rounded to bfloat16 (nearest even), the values the
     * original model and SVG run on.
     */
    public static float[] metaPeriods(int headDim, double base) {
        float[] p = periods(headDim, base);
        for (int j = 0; j < p.length; j++) {
            int bits = Float.floatToRawIntBits(p[j]);
            bits = (bits + 0x7fff + ((bits >>> 16) & 1)) & 0xffff0000;
            p[j] = Float.intBitsToFloat(bits);
        }
        return p;
    }

    /** {sin, cos}, each {@code [h*w, headDim]}, for an h x w patch grid (token p = row*w + col). */
    public static INDArray[] sinCos(int h, int w, float[] periods, DataType type) {
        int q = periods.length;
        int dh = 4 * q;
        float twoPi = 6.2831855f;
        float[] sin = new float[h * w * dh];
        float[] cos = new float[h * w * dh];
        for (int r = 0; r < h; r++) {
            float cy = 2 * ((r + 0.5f) / h) - 1;
            for (int c = 0; c < w; c++) {
                float cx = 2 * ((c + 0.5f) / w) - 1;
                int base = (r * w + c) * dh;
                for (int j = 0; j < q; j++) {
                    float ay = (twoPi * cy) / periods[j];
                    float ax = (twoPi * cx) / periods[j];
                    for (int tile = 0; tile < 2; tile++) {
                        int o = base + tile * 2 * q;
                        sin[o + j] = (float) Math.sin(ay);
                        cos[o + j] = (float) Math.cos(ay);
                        sin[o + q + j] = (float) Math.sin(ax);
                        cos[o + q + j] = (float) Math.cos(ax);
                    }
                }
            }
        }
        long[] shape = {(long) h * w, dh};
        return new INDArray[] {Nd4j.create(sin, shape, 'c').castTo(type), Nd4j.create(cos, shape, 'c').castTo(type)};
    }
}
