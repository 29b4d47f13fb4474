package org.svgjava.train.eval;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.svgjava.train.data.Pixels;

/** Peak signal-to-noise ratio, in dB, with the mean squared error pooled over every pixel and channel. */
public final class Psnr {
    private Psnr() {
    }

    /** Of images in [-1, 1] (peak-to-peak 2). */
    public static double ofMinusOneOne(INDArray a, INDArray b) {
        INDArray d = a.sub(b);
        double mse = d.mul(d).meanNumber().doubleValue();
        return 10 * Math.log10(4.0 / Math.max(mse, 1e-12));
    }

    /** Of 8-bit images (peak 255), pair by pair; what a viewer of the written PNGs would measure. */
    public static double of8Bit(List<Pixels> a, List<Pixels> b) {
        if (a.size() != b.size() || a.isEmpty()) {
            throw new IllegalArgumentException("need two equally long, non-empty lists, got " + a.size() + " and " + b.size());
        }
        double sum = 0;
        long count = 0;
        for (int i = 0; i < a.size(); i++) {
            byte[] x = a.get(i).rgbBytes();
            byte[] y = b.get(i).rgbBytes();
            if (x.length != y.length) {
                throw new IllegalArgumentException("image " + i + ": " + a.get(i) + " vs " + b.get(i));
            }
            for (int k = 0; k < x.length; k++) {
                double d = (x[k] & 0xff) - (y[k] & 0xff);
                sum += d * d;
            }
            count += x.length;
        }
        return 10 * Math.log10(255.0 * 255.0 / Math.max(sum / count, 1e-12));
    }
}
