package org.svgjava.train.data;

/**
 * A representation blind to colour, contrast sign and position: the magnitude of the 2-D discrete Fourier
 * transform of the grey image after removing its mean and scaling it to unit energy.
 */
final class ShapeFeatures {
    private ShapeFeatures() {
    }

    static double[] of(Pixels p) {
        int w = p.width();
        int h = p.height();
        double[] g = new double[w * h];
        double mean = 0;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                g[y * w + x] = ProceduralDatasetTest.luma(p, x, y);
                mean += g[y * w + x];
            }
        }
        mean /= g.length;
        double energy = 0;
        for (int i = 0; i < g.length; i++) {
            g[i] -= mean;
            energy += g[i] * g[i];
        }
        double scale = energy > 0 ? 1 / Math.sqrt(energy) : 0;
        // separable DFT: rows, then columns
        double[] re = new double[w * h];
        double[] im = new double[w * h];
        for (int y = 0; y < h; y++) {
            for (int k = 0; k < w; k++) {
                double sr = 0;
                double si = 0;
                for (int x = 0; x < w; x++) {
                    double a = -2 * Math.PI * k * x / w;
                    sr += g[y * w + x] * scale * Math.cos(a);
                    si += g[y * w + x] * scale * Math.sin(a);
                }
                re[y * w + k] = sr;
                im[y * w + k] = si;
            }
        }
        double[] mag = new double[w * h];
        for (int kx = 0; kx < w; kx++) {
            for (int ky = 0; ky < h; ky++) {
                double sr = 0;
                double si = 0;
                for (int y = 0; y < h; y++) {
                    double a = -2 * Math.PI * ky * y / h;
                    double c = Math.cos(a);
                    double s = Math.sin(a);
                    sr += re[y * w + kx] * c - im[y * w + kx] * s;
                    si += re[y * w + kx] * s + im[y * w + kx] * c;
                }
                mag[ky * w + kx] = Math.hypot(sr, si);
            }
        }
        return mag;
    }
}
