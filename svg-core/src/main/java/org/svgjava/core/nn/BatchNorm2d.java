package org.svgjava.core.nn;

import java.util.stream.IntStream;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * PyTorch's {@code nn.BatchNorm2d(C, eps=1e-5, momentum=0.1)} on {@code [B, C, H, W]}, with the state-dict entries
 * {@code weight}, {@code bias}, {@code running_mean}, {@code running_var} and {@code num_batches_tracked} (a float
 * scalar here; it only counts). In training mode a forward normalises with the batch's statistics (biased
 * variance) and moves the running statistics toward them (unbiased variance), as PyTorch does; in eval mode it uses
 * the running statistics. Statistics are computed in double precision.
 *
 * <p>The running statistics are buffers, not parameters: an optimiser must skip them (see {@link #isBuffer}).
 */
public final class BatchNorm2d extends Module implements Layer {
    private final long channels;
    private final double eps;
    private final double momentum;
    private INDArray x;
    private boolean batchStats;
    private double[] mean;
    private double[] rstd;

    public BatchNorm2d(long channels, double eps, double momentum) {
        this.channels = channels;
        this.eps = eps;
        this.momentum = momentum;
        declareParameter("weight", channels);
        declareParameter("bias", channels);
        declareParameter("running_mean", channels);
        declareParameter("running_var", channels);
        declareParameter("num_batches_tracked");
    }

    /** PyTorch's defaults: eps 1e-5, momentum 0.1. */
    public BatchNorm2d(long channels) {
        this(channels, 1e-5, 0.1);
    }

    /** Whether a state-dict name (of any model) is one of BatchNorm's buffers, which no optimiser updates. */
    public static boolean isBuffer(String name) {
        return name.endsWith("running_mean") || name.endsWith("running_var") || name.endsWith("num_batches_tracked");
    }

    public INDArray weight() {
        return p("weight");
    }

    public INDArray bias() {
        return p("bias");
    }

    /** PyTorch's initial state: weight 1, bias 0, running mean 0, running variance 1, no batches seen. */
    public void resetParameters() {
        p("weight").assign(1);
        p("bias").assign(0);
        resetRunningStats();
    }

    public void resetRunningStats() {
        p("running_mean").assign(0);
        p("running_var").assign(1);
        p("num_batches_tracked").assign(0);
    }

    @Override
    public INDArray forward(INDArray input) {
        if (input.rank() != 4 || input.size(1) != channels) {
            throw new IllegalArgumentException("BatchNorm2d(" + channels + ") expects [B, " + channels + ", H, W], got "
                    + java.util.Arrays.toString(input.shape()));
        }
        INDArray xc = Contiguous.of(input);
        int c = (int) channels;
        int b = (int) xc.size(0);
        int s = (int) (xc.size(2) * xc.size(3));
        long n = (long) b * s;
        batchStats = isTraining();
        if (mean == null) {
            mean = new double[c];
            rstd = new double[c];
        }
        double[] runMean = p("running_mean").castTo(DataType.DOUBLE).toDoubleVector();
        double[] runVar = p("running_var").castTo(DataType.DOUBLE).toDoubleVector();
        if (batchStats) {
            if (n < 2) {
                // PyTorch refuses too: the unbiased variance of the running update is undefined
                throw new IllegalArgumentException("BatchNorm2d in training needs more than one value per channel, got "
                        + java.util.Arrays.toString(xc.shape()));
            }
            View xv = new View(xc);
            channels(c, n).forEach(ch -> {
                double sum = 0;
                for (int i = 0; i < b; i++) {
                    long base = ((long) i * c + ch) * s;
                    for (int j = 0; j < s; j++) {
                        sum += xv.get(base + j);
                    }
                }
                double m = sum / n;
                double sq = 0;
                for (int i = 0; i < b; i++) {
                    long base = ((long) i * c + ch) * s;
                    for (int j = 0; j < s; j++) {
                        double d = xv.get(base + j) - m;
                        sq += d * d;
                    }
                }
                double var = sq / n;
                mean[ch] = m;
                rstd[ch] = 1 / Math.sqrt(var + eps);
                runMean[ch] = (1 - momentum) * runMean[ch] + momentum * m;
                runVar[ch] = (1 - momentum) * runVar[ch] + momentum * sq / (n - 1);
            });
            p("running_mean").assign(org.nd4j.linalg.factory.Nd4j.createFromArray(runMean).castTo(p("running_mean").dataType()));
            p("running_var").assign(org.nd4j.linalg.factory.Nd4j.createFromArray(runVar).castTo(p("running_var").dataType()));
            p("num_batches_tracked").addi(1);
        } else {
            for (int ch = 0; ch < c; ch++) {
                mean[ch] = runMean[ch];
                rstd[ch] = 1 / Math.sqrt(runVar[ch] + eps);
            }
        }
        double[] gamma = p("weight").castTo(DataType.DOUBLE).toDoubleVector();
        double[] beta = p("bias").castTo(DataType.DOUBLE).toDoubleVector();
        INDArray y = buffers.like("y", xc);
        View xv = new View(xc);
        View yv = new View(y);
        channels(c, n).forEach(ch -> {
            double scale = rstd[ch] * gamma[ch];
            double shift = beta[ch] - mean[ch] * scale;
            for (int i = 0; i < b; i++) {
                long base = ((long) i * c + ch) * s;
                for (int j = 0; j < s; j++) {
                    yv.put(base + j, xv.get(base + j) * scale + shift);
                }
            }
        });
        x = storesActivations() ? xc : null;
        return y;
    }

    @Override
    public INDArray backward(INDArray dyIn) {
        stored(x);
        INDArray dy = Contiguous.of(dyIn);
        int c = (int) channels;
        int b = (int) x.size(0);
        int s = (int) (x.size(2) * x.size(3));
        long n = (long) b * s;
        double[] gamma = p("weight").castTo(DataType.DOUBLE).toDoubleVector();
        double[] dGamma = new double[c];
        double[] dBeta = new double[c];
        INDArray dx = buffers.like("dx", x);
        View xv = new View(x);
        View gv = new View(dy);
        View dv = new View(dx);
        channels(c, n).forEach(ch -> {
            double m = mean[ch];
            double r = rstd[ch];
            double sumG = 0;
            double sumGx = 0;
            for (int i = 0; i < b; i++) {
                long base = ((long) i * c + ch) * s;
                for (int j = 0; j < s; j++) {
                    double g = gv.get(base + j);
                    sumG += g;
                    sumGx += g * (xv.get(base + j) - m) * r;
                }
            }
            dGamma[ch] = sumGx;
            dBeta[ch] = sumG;
            double k = gamma[ch] * r;
            for (int i = 0; i < b; i++) {
                long base = ((long) i * c + ch) * s;
                for (int j = 0; j < s; j++) {
                    double g = gv.get(base + j);
                    if (batchStats) {
                        // the batch statistics depend on x: dx = gamma rstd (g - mean(g) - xhat mean(g xhat))
                        double xhat = (xv.get(base + j) - m) * r;
                        dv.put(base + j, k * (g - sumG / n - xhat * sumGx / n));
                    } else {
                        dv.put(base + j, k * g);
                    }
                }
            }
        });
        if (g("weight") != null) {
            g("weight").addi(org.nd4j.linalg.factory.Nd4j.createFromArray(dGamma).castTo(g("weight").dataType()));
            g("bias").addi(org.nd4j.linalg.factory.Nd4j.createFromArray(dBeta).castTo(g("bias").dataType()));
        }
        return dx;
    }

    private static IntStream channels(int c, long perChannel) {
        IntStream s = IntStream.range(0, c);
        return c > 1 && c * perChannel >= (1 << 15) ? s.parallel() : s;
    }

    /** A dense array's memory by element index, FLOAT or DOUBLE. */
    private static final class View {
        private final java.nio.FloatBuffer f;
        private final java.nio.DoubleBuffer d;
        private final int off;

        View(INDArray a) {
            boolean dbl = a.dataType() == DataType.DOUBLE;
            f = dbl ? null : a.data().asNioFloat();
            d = dbl ? a.data().asNioDouble() : null;
            off = (int) a.offset();
        }

        double get(long i) {
            return f != null ? f.get(off + (int) i) : d.get(off + (int) i);
        }

        void put(long i, double v) {
            if (f != null) {
                f.put(off + (int) i, (float) v);
            } else {
                d.put(off + (int) i, v);
            }
        }
    }
}
