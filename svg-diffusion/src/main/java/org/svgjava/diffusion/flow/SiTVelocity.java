package org.svgjava.diffusion.flow;

import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.svgjava.diffusion.model.SiT;

/**
 * The guided velocity of a SiT: the conditional and unconditional passes run as one batched forward
 * ({@code [z; z]} with labels {@code [y; null]}), the flow takes the first C output channels (learn_sigma), and the
 * guidance schedule combines them.
 */
public final class SiTVelocity implements VelocityField {
    private final SiT model;
    private final long[] labels;
    private final Guidance guidance;
    private final int steps;
    private INDArray vc;
    private INDArray vu;
    private INDArray batch;

    /** @param steps the sampler's step count (schedules such as linear and late need it) */
    public SiTVelocity(SiT model, long[] labels, Guidance guidance, int steps) {
        this.model = model;
        this.guidance = guidance;
        this.steps = steps;
        boolean both = guidance.needsUnconditional();
        this.labels = both ? Arrays.copyOf(labels, 2 * labels.length) : labels.clone();
        if (both) {
            Arrays.fill(this.labels, labels.length, this.labels.length, model.config().nullClass());
        }
        model.inference(true);
    }

    @Override
    public INDArray at(INDArray z, double t, int step) {
        long n = z.size(0);
        long c = z.size(2);
        boolean both = guidance.needsUnconditional();
        INDArray input = z;
        if (both) {
            if (batch == null || batch.size(0) != 2 * n) {
                batch = Nd4j.create(z.dataType(), 2 * n, z.size(1), c);
            }
            batch.get(NDArrayIndex.interval(0, n), NDArrayIndex.all(), NDArrayIndex.all()).assign(z);
            batch.get(NDArrayIndex.interval(n, 2 * n), NDArrayIndex.all(), NDArrayIndex.all()).assign(z);
            input = batch;
        }
        double[] times = new double[(int) input.size(0)];
        Arrays.fill(times, t);
        INDArray out = model.forward(input, times, labels);
        if (vc == null || !Arrays.equals(vc.shape(), z.shape())) {
            vc = z.ulike();
            vu = z.ulike();
        }
        vc.assign(out.get(NDArrayIndex.interval(0, n), NDArrayIndex.all(), NDArrayIndex.interval(0, c)));
        if (both) {
            vu.assign(out.get(NDArrayIndex.interval(n, 2 * n), NDArrayIndex.all(), NDArrayIndex.interval(0, c)));
            guidance.combine(vc, vu, step, steps, t);
        }
        return vc;
    }
}
