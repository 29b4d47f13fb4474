package org.svgjava.core.optim;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.svgjava.core.nn.ParameterSet;

/**
 * The exponential moving average of the weights kept by DiT/SVG training ({@code update_ema}):
 * {@code ema = decay*ema + (1-decay)*param} over every parameter, frozen ones included, as the official code
 * iterates over all of {@code model.named_parameters()}.
 *
 * <p>The shadow starts as a copy of the parameters (the official code's {@code deepcopy} followed by
 * {@code update_ema(ema, model, decay=0)}). {@link #update()} allocates nothing.
 */
public final class Ema {
    private final ParameterSet params;
    private final ParameterSet shadow;
    private final double decay;
    private final ChunkedLoop loop;
    private final FloatBuffer[] pF, sF;
    private final DoubleBuffer[] pD, sD;
    private final ChunkedLoop.Body body;
    private double current;

    public Ema(ParameterSet params, double decay) {
        if (!(decay >= 0 && decay <= 1)) {
            throw new IllegalArgumentException("EMA decay " + decay + " must lie in [0, 1]");
        }
        DataType type = FlatBuffers.requireSupported(params, "parameters");
        this.params = params;
        this.decay = decay;
        this.shadow = params.zerosLike();
        shadow.flat().assign(params.flat());
        this.loop = ChunkedLoop.whole(params.numel());
        if (type == DataType.FLOAT) {
            pF = FlatBuffers.floats(params.flat());
            sF = FlatBuffers.floats(shadow.flat());
            pD = sD = null;
            body = this::updateFloat;
        } else {
            pD = FlatBuffers.doubles(params.flat());
            sD = FlatBuffers.doubles(shadow.flat());
            pF = sF = null;
            body = this::updateDouble;
        }
    }

    /** One update with the configured decay, after an optimiser step. */
    public void update() {
        update(decay);
    }

    /** One update with another decay (0 copies the parameters, as the official code does before training). */
    public void update(double decay) {
        if (!(decay >= 0 && decay <= 1)) {
            throw new IllegalArgumentException("EMA decay " + decay + " must lie in [0, 1]");
        }
        current = decay;
        FlatBuffers.toHost(params.flat());
        FlatBuffers.toHost(shadow.flat());
        loop.forEach(body);
        FlatBuffers.wroteHost(shadow.flat());
    }

    private void updateFloat(int from, int to) {
        int seg = FlatBuffers.segment(from);
        final FloatBuffer p = pF[seg], s = sF[seg];
        final int lo = FlatBuffers.local(from), hi = lo + (to - from);
        final float d = (float) current, od = (float) (1 - current);
        float[][] blk = BLOCKS.get();
        float[] pa = blk[0], sa = blk[1];
        // heap blocks so the JIT vectorises; element-wise FloatBuffer access is several times slower
        for (int start = lo; start < hi; start += BLOCK) {
            int n = Math.min(BLOCK, hi - start);
            p.get(start, pa, 0, n);
            s.get(start, sa, 0, n);
            for (int i = 0; i < n; i++) {
                sa[i] = d * sa[i] + od * pa[i];
            }
            s.put(start, sa, 0, n);
        }
    }

    private static final int BLOCK = 2048;
    private static final ThreadLocal<float[][]> BLOCKS = ThreadLocal.withInitial(() -> new float[2][BLOCK]);

    private void updateDouble(int from, int to) {
        int seg = FlatBuffers.segment(from);
        final DoubleBuffer p = pD[seg], s = sD[seg];
        final double d = current, od = 1 - current;
        for (int i = FlatBuffers.local(from), hi = i + (to - from); i < hi; i++) {
            s.put(i, d * s.get(i) + od * p.get(i));
        }
    }

    /** The averaged weights, laid out like the parameters (what checkpoints save as "ema" and sampling uses). */
    public ParameterSet shadow() {
        return shadow;
    }

    public double decay() {
        return decay;
    }
}
