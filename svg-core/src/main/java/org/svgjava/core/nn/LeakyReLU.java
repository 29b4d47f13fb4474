package org.svgjava.core.nn;

import java.util.stream.IntStream;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * PyTorch's {@code nn.LeakyReLU(negative_slope)}: {@code x > 0 ? x : slope * x}; slope 0 is {@code nn.ReLU}. The
 * backward uses PyTorch's convention at 0 (the negative branch), which ND4J's derivative op does not.
 */
public final class LeakyReLU extends Module implements Layer {
    private static final int CHUNK = 1 << 15;

    private final double slope;
    private INDArray x;

    public LeakyReLU(double slope) {
        this.slope = slope;
    }

    /** {@code nn.ReLU}. */
    public static LeakyReLU relu() {
        return new LeakyReLU(0);
    }

    public double slope() {
        return slope;
    }

    @Override
    public INDArray forward(INDArray input) {
        INDArray xc = Contiguous.of(input);
        INDArray y = buffers.like("y", xc);
        apply(xc, null, y);
        x = storesActivations() ? xc : null;
        return y;
    }

    @Override
    public INDArray backward(INDArray dy) {
        stored(x);
        INDArray dx = buffers.like("dx", x);
        apply(x, Contiguous.of(dy), dx);
        return dx;
    }

    /** out = f(x) when g is null, else out = g * f'(x); a zero slope gives +0, never -0, as PyTorch's ReLU. */
    private void apply(INDArray xa, INDArray g, INDArray out) {
        int n = Math.toIntExact(xa.length());
        int chunks = (n + CHUNK - 1) / CHUNK;
        IntStream range = IntStream.range(0, chunks);
        if (chunks > 1) {
            range = range.parallel();
        }
        if (xa.dataType() == DataType.DOUBLE) {
            var xb = xa.data().asNioDouble();
            var gb = g == null ? null : g.data().asNioDouble();
            var ob = out.data().asNioDouble();
            int xo = (int) xa.offset();
            int go = g == null ? 0 : (int) g.offset();
            int oo = (int) out.offset();
            range.forEach(c -> {
                for (int i = c * CHUNK, end = Math.min(n, i + CHUNK); i < end; i++) {
                    double v = xb.get(xo + i);
                    double a = gb == null ? v : gb.get(go + i);
                    ob.put(oo + i, v > 0 ? a : slope == 0 ? 0.0 : a * slope);
                }
            });
        } else {
            var xb = xa.data().asNioFloat();
            var gb = g == null ? null : g.data().asNioFloat();
            var ob = out.data().asNioFloat();
            int xo = (int) xa.offset();
            int go = g == null ? 0 : (int) g.offset();
            int oo = (int) out.offset();
            float s = (float) slope;
            range.forEach(c -> {
                for (int i = c * CHUNK, end = Math.min(n, i + CHUNK); i < end; i++) {
                    float v = xb.get(xo + i);
                    float a = gb == null ? v : gb.get(go + i);
                    ob.put(oo + i, v > 0 ? a : s == 0f ? 0f : a * s);
                }
            });
        }
    }
}
