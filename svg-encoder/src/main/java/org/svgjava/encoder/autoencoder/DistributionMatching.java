package org.svgjava.encoder.autoencoder;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The official {@code match_distribution(h, h_vit)}: the residual map is shifted and scaled so its scalar mean and
 * std equal those of the DINO features,
 * <pre>
 * mu_h  = mean over channels of (per-channel mean over batch and tokens)      sigma_h likewise with the unbiased std
 * aligned = (h_vit - mu_v) / (sigma_v + 1e-6) * sigma_h + mu_h               # statistics detached
 * </pre>
 * Because the statistics come from the current batch, the official encoding of an image depends on the other
 * images of its batch. {@link Mode#RUNNING} is the documented alternative: training still uses (and matches) the
 * batch statistics exactly, but also keeps a running average of them; eval uses the running values, so an
 * image's latent no longer depends on its batch. Running values can also be set, e.g. measured over a dataset.
 */
public final class DistributionMatching {
    /** Which statistics eval uses; training always uses the batch's. */
    public enum Mode { BATCH, RUNNING }

    /** The four scalars of one matching. */
    public record Statistics(double meanH, double stdH, double meanV, double stdV) {
        /** The affine map {@code aligned = h_vit * scale + shift}. */
        double scale() {
            return stdH / (stdV + EPS);
        }
    }

    static final double EPS = 1e-6;

    private final Mode mode;
    private final double momentum;
    private Statistics running;
    private Statistics last;

    /** @param momentum weight of a new batch in the running average (RUNNING mode; the first batch sets it) */
    public DistributionMatching(Mode mode, double momentum) {
        this.mode = mode;
        this.momentum = momentum;
    }

    /** The official behaviour. */
    public static DistributionMatching official() {
        return new DistributionMatching(Mode.BATCH, 0.01);
    }

    public Mode mode() {
        return mode;
    }

    /** The running statistics, or null before any training batch (RUNNING mode). */
    public Statistics running() {
        return running;
    }

    public void setRunning(Statistics s) {
        running = s;
    }

    /** The statistics the last {@link #apply} used. */
    public Statistics last() {
        return last;
    }

    /**
     * h {@code [B, C, N]} (DINO, any layout), hVit {@code [B, D, N]}; writes the aligned map into {@code out} (may be
     * hVit) and returns it.
     */
    public INDArray apply(INDArray h, INDArray hVit, boolean training, INDArray out) {
        Statistics s;
        if (training || mode == Mode.BATCH) {
            s = batchStatistics(h, hVit);
            if (training && mode == Mode.RUNNING) {
                running = running == null ? s : new Statistics(
                        mix(running.meanH(), s.meanH()), mix(running.stdH(), s.stdH()),
                        mix(running.meanV(), s.meanV()), mix(running.stdV(), s.stdV()));
            }
        } else {
            if (running == null) {
                throw new IllegalStateException("RUNNING distribution matching has no statistics yet: train on some"
                        + " batches or setRunning(...) first");
            }
            s = running;
        }
        last = s;
        // the official order of float operations: (x - mu_v) / (sigma_v + eps) * sigma_h + mu_h
        out.assign(hVit).subi(s.meanV()).divi(s.stdV() + EPS).muli(s.stdH()).addi(s.meanH());
        return out;
    }

    /** Backward with detached statistics: {@code dh_vit = d_aligned * sigma_h / (sigma_v + eps)}, into {@code out}. */
    public INDArray backward(INDArray dAligned, INDArray out) {
        if (last == null) {
            throw new IllegalStateException("backward before apply");
        }
        return out.assign(dAligned).muli(last.scale());
    }

    /** The official statistics of a batch, in double precision. */
    public static Statistics batchStatistics(INDArray h, INDArray hVit) {
        double[] a = scalarMeanStd(h);
        double[] b = scalarMeanStd(hVit);
        return new Statistics(a[0], a[1], b[0], b[1]);
    }

    /** {mean of channel means, mean of channel unbiased stds} of x {@code [B, C, N]}. */
    static double[] scalarMeanStd(INDArray x) {
        long c = x.size(1);
        INDArray perChannel = x.castTo(DataType.DOUBLE).permute(1, 0, 2).dup('c').reshape(c, x.size(0) * x.size(2));
        return new double[] {perChannel.mean(1).meanNumber().doubleValue(),
                perChannel.std(true, 1).meanNumber().doubleValue()};
    }

    private double mix(double old, double now) {
        return (1 - momentum) * old + momentum * now;
    }
}
