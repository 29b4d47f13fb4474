package org.svgjava.core.optim;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.nd4j.linalg.api.buffer.DataType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.svgjava.core.nn.ParameterSet;

/**
 * {@code torch.optim.AdamW} and {@code torch.optim.Adam} (single-tensor path, no amsgrad, no maximize) as one fused
 * loop over the flat parameter, gradient and moment buffers.
 *
 * <p>Per element, in PyTorch's order: weight decay (AdamW: {@code p *= 1 - lr*wd}; Adam: {@code g += wd*p}),
 * {@code m = b1*m + (1-b1)*g}, {@code v = b2*v + (1-b2)*g^2}, then
 * {@code p -= lr/(1-b1^t) * m / (sqrt(v)/sqrt(1-b2^t) + eps)}. Arithmetic is in double; every value PyTorch would
 * store (decayed p, m, v, the new p) is rounded to the buffer type before it is used further, as PyTorch's fp32
 * tensors are, which keeps fp32 results within a few ulp of PyTorch's.
 *
 * <p>Parameters whose names fail the trainable predicate (a fixed position table) are skipped entirely: no decay,
 * no update, and their moments stay zero, as if they were not in PyTorch's param group.
 *
 * <p>{@link #step()} allocates nothing: the buffers are NIO views taken at construction, the index ranges are
 * precomputed, and buffers of {@value ChunkedLoop#PARALLEL_THRESHOLD} elements or more are split over the common
 * ForkJoinPool with tasks built once. The gradients are read, never cleared.
 */
public final class AdamW {
    private static final Logger log = LoggerFactory.getLogger(AdamW.class);

    /** Moment names as in PyTorch's optimizer {@code state_dict}, for checkpoints. */
    public static final String EXP_AVG = "exp_avg";
    public static final String EXP_AVG_SQ = "exp_avg_sq";

    private final ParameterSet params;
    private final ParameterSet grads;
    private final ParameterSet expAvg;
    private final ParameterSet expAvgSq;
    private final boolean decoupled;
    private final double beta1;
    private final double beta2;
    private final double eps;
    private final double weightDecay;
    private final List<String> trainable;
    private final ChunkedLoop loop;
    private final boolean isFloat;
    private final FloatBuffer[] pF, gF, mF, vF;
    private final DoubleBuffer[] pD, gD, mD, vD;
    private final ChunkedLoop.Body body;
    private double lr;
    private long step;

    // the scalars of the step being taken, read by the loop body
    private double stepSize;
    private double bc2Sqrt;
    private double decayFactor;

    /** {@code torch.optim.AdamW} over every parameter. */
    public AdamW(ParameterSet params, ParameterSet grads, double lr, double beta1, double beta2, double eps,
                 double weightDecay) {
        this(params, grads, lr, beta1, beta2, eps, weightDecay, name -> true);
    }

    /** {@code torch.optim.AdamW} over the parameters whose names pass {@code trainable}. */
    public AdamW(ParameterSet params, ParameterSet grads, double lr, double beta1, double beta2, double eps,
                 double weightDecay, Predicate<String> trainable) {
        this(params, grads, lr, beta1, beta2, eps, weightDecay, trainable, true);
    }

    /** {@code torch.optim.Adam}: weight decay, if any, is L2 added to the gradient rather than decoupled. */
    public static AdamW adam(ParameterSet params, ParameterSet grads, double lr, double beta1, double beta2,
                             double eps, double weightDecay, Predicate<String> trainable) {
        return new AdamW(params, grads, lr, beta1, beta2, eps, weightDecay, trainable, false);
    }

    /** {@code torch.optim.Adam} over every parameter. */
    public static AdamW adam(ParameterSet params, ParameterSet grads, double lr, double beta1, double beta2,
                             double eps, double weightDecay) {
        return adam(params, grads, lr, beta1, beta2, eps, weightDecay, name -> true);
    }

    private AdamW(ParameterSet params, ParameterSet grads, double lr, double beta1, double beta2, double eps,
                  double weightDecay, Predicate<String> trainable, boolean decoupled) {
        checkHyper(lr, beta1, beta2, eps, weightDecay);
        DataType type = FlatBuffers.requireSupported(params, "parameters");
        requireSameLayout(params, grads);
        this.params = params;
        this.grads = grads;
        this.expAvg = params.zerosLike();
        this.expAvgSq = params.zerosLike();
        this.lr = lr;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
        this.decoupled = decoupled;
        List<String> names = new ArrayList<>();
        for (String name : params.views().keySet()) {
            if (trainable.test(name)) {
                names.add(name);
            }
        }
        this.trainable = Collections.unmodifiableList(names);
        this.loop = ChunkedLoop.of(params, trainable);
        this.isFloat = type == DataType.FLOAT;
        if (isFloat) {
            pF = FlatBuffers.floats(params.flat());
            gF = FlatBuffers.floats(grads.flat());
            mF = FlatBuffers.floats(expAvg.flat());
            vF = FlatBuffers.floats(expAvgSq.flat());
            pD = gD = mD = vD = null;
            body = this::updateFloat;
        } else {
            pD = FlatBuffers.doubles(params.flat());
            gD = FlatBuffers.doubles(grads.flat());
            mD = FlatBuffers.doubles(expAvg.flat());
            vD = FlatBuffers.doubles(expAvgSq.flat());
            pF = gF = mF = vF = null;
            body = this::updateDouble;
        }
        log.debug("{}: {} of {} tensors trainable ({} of {} elements in {} ranges), {}", decoupled ? "AdamW" : "Adam",
                names.size(), params.views().size(), loop.size(), params.numel(), loop.ranges(), type);
    }

    /** One optimiser step from the current gradients; the step count is incremented first, as in PyTorch. */
    public void step() {
        step++;
        double bc1 = 1 - Math.pow(beta1, step);
        double bc2 = 1 - Math.pow(beta2, step);
        stepSize = lr / bc1;
        bc2Sqrt = Math.sqrt(bc2);
        decayFactor = 1 - lr * weightDecay;
        FlatBuffers.toHost(params.flat());
        FlatBuffers.toHost(grads.flat());
        FlatBuffers.toHost(expAvg.flat());
        FlatBuffers.toHost(expAvgSq.flat());
        loop.forEach(body);
        FlatBuffers.wroteHost(params.flat());
        FlatBuffers.wroteHost(expAvg.flat());
        FlatBuffers.wroteHost(expAvgSq.flat());
    }

    private void updateFloat(int from, int to) {
        int seg = FlatBuffers.segment(from);
        final FloatBuffer p = pF[seg], g = gF[seg], m = mF[seg], v = vF[seg];
        final int lo = FlatBuffers.local(from), hi = lo + (to - from);
        // float arithmetic on heap blocks, so the JIT vectorises the loop (FloatBuffer access one element at a time
        // and double arithmetic made this step a fifth of a SiT-S training step); PyTorch's fp32 kernels also
        // compute in float, with its scalars (1 - lr*wd, 1 - beta, Adam's L2 coefficient) cast to float
        final float b1 = (float) beta1, b2 = (float) beta2, ob1 = (float) (1 - beta1), ob2 = (float) (1 - beta2);
        final float wd = (float) weightDecay, decay = (float) decayFactor, size = (float) stepSize;
        final float bc2s = (float) bc2Sqrt, e = (float) eps;
        final boolean dec = decoupled;
        float[][] blk = BLOCKS.get();
        float[] pa = blk[0], ga = blk[1], ma = blk[2], va = blk[3];
        for (int start = lo; start < hi; start += BLOCK) {
            int n = Math.min(BLOCK, hi - start);
            p.get(start, pa, 0, n);
            g.get(start, ga, 0, n);
            m.get(start, ma, 0, n);
            v.get(start, va, 0, n);
            for (int i = 0; i < n; i++) {
                float pi = pa[i];
                float gi = ga[i];
                if (dec) {
                    pi = pi * decay;
                } else {
                    gi = gi + wd * pi;
                }
                float mi = b1 * ma[i] + ob1 * gi;
                float vi = b2 * va[i] + ob2 * gi * gi;
                ma[i] = mi;
                va[i] = vi;
                pa[i] = pi - size * mi / ((float) Math.sqrt(vi) / bc2s + e);
            }
            p.put(start, pa, 0, n);
            m.put(start, ma, 0, n);
            v.put(start, va, 0, n);
        }
    }

    private static final int BLOCK = 2048;
    private static final ThreadLocal<float[][]> BLOCKS = ThreadLocal.withInitial(() -> new float[4][BLOCK]);

    private void updateDouble(int from, int to) {
        int seg = FlatBuffers.segment(from);
        final DoubleBuffer p = pD[seg], g = gD[seg], m = mD[seg], v = vD[seg];
        final int lo = FlatBuffers.local(from), hi = lo + (to - from);
        final double b1 = beta1, b2 = beta2, ob1 = 1 - beta1, ob2 = 1 - beta2;
        final double wd = weightDecay, decay = decayFactor, size = stepSize, bc2s = bc2Sqrt, e = eps;
        final boolean dec = decoupled;
        for (int i = lo; i < hi; i++) {
            double pi = p.get(i);
            double gi = g.get(i);
            if (dec) {
                pi *= decay;
            } else {
                gi += wd * pi;
            }
            double mi = b1 * m.get(i) + ob1 * gi;
            double vi = b2 * v.get(i) + ob2 * gi * gi;
            m.put(i, mi);
            v.put(i, vi);
            p.put(i, pi - size * mi / (Math.sqrt(vi) / bc2s + e));
        }
    }

    /** Steps taken so far (PyTorch's {@code state["step"]}); the next {@link #step()} uses this plus one. */
    public long stepCount() {
        return step;
    }

    /** Restores the step count of a checkpoint, together with {@link #moments()}, to resume bit-exactly. */
    public void setStepCount(long step) {
        if (step < 0) {
            throw new IllegalArgumentException("step count " + step + " < 0");
        }
        this.step = step;
    }

    public double lr() {
        return lr;
    }

    /** The learning rate of the following steps (a schedule sets it before each step). */
    public void setLr(double lr) {
        if (!(lr >= 0) || Double.isInfinite(lr)) {
            throw new IllegalArgumentException("learning rate " + lr);
        }
        this.lr = lr;
    }

    /**
     * {@code {"exp_avg": m, "exp_avg_sq": v}}, laid out like the parameters; a checkpoint saves them by name and
     * restores them with {@link ParameterSet#loadStrict}. Frozen parameters' moments are zero.
     */
    public Map<String, ParameterSet> moments() {
        Map<String, ParameterSet> out = new LinkedHashMap<>();
        out.put(EXP_AVG, expAvg);
        out.put(EXP_AVG_SQ, expAvgSq);
        return Collections.unmodifiableMap(out);
    }

    /** Names of the parameters this optimiser updates, in declaration order. */
    public List<String> trainableNames() {
        return trainable;
    }

    /** True for AdamW (decay applied to the weights), false for Adam (L2 decay added to the gradient). */
    public boolean decoupledWeightDecay() {
        return decoupled;
    }

    public double beta1() {
        return beta1;
    }

    public double beta2() {
        return beta2;
    }

    public double eps() {
        return eps;
    }

    public double weightDecay() {
        return weightDecay;
    }

    private static void checkHyper(double lr, double beta1, double beta2, double eps, double wd) {
        // the ranges torch.optim.Adam(W) itself accepts
        if (!(lr >= 0) || Double.isInfinite(lr)) {
            throw new IllegalArgumentException("learning rate " + lr);
        }
        if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
            throw new IllegalArgumentException("betas (" + beta1 + ", " + beta2 + ") must lie in [0, 1)");
        }
        if (!(eps >= 0) || !(wd >= 0)) {
            throw new IllegalArgumentException("eps " + eps + " and weight decay " + wd + " must be >= 0");
        }
    }

    static void requireSameLayout(ParameterSet params, ParameterSet grads) {
        if (params.flat().dataType() != grads.flat().dataType()) {
            throw new IllegalArgumentException("gradients are " + grads.flat().dataType() + " but parameters are "
                    + params.flat().dataType());
        }
        if (params.numel() != grads.numel() || !List.copyOf(params.views().keySet()).equals(List.copyOf(grads.views().keySet()))) {
            throw new IllegalArgumentException("gradients (" + grads.views().size() + " tensors, " + grads.numel()
                    + " elements) are not laid out like the parameters (" + params.views().size() + " tensors, "
                    + params.numel() + " elements): build them with params.zerosLike()");
        }
        for (String name : params.views().keySet()) {
            if (!java.util.Arrays.equals(params.range(name), grads.range(name))
                    || !java.util.Arrays.equals(params.get(name).shape(), grads.get(name).shape())) {
                throw new IllegalArgumentException("gradient '" + name + "' is not laid out like its parameter");
            }
        }
    }
}
