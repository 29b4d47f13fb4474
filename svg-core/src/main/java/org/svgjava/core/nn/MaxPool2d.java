package org.svgjava.core.nn;

import java.util.stream.IntStream;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * PyTorch's {@code nn.MaxPool2d(kernel_size, stride)} without padding or dilation (floor mode) on
 * {@code [B, C, H, W]}, as VGG's pools use it. Ties go to the first element in row-major window order, as in
 * PyTorch, and backward routes each output gradient to that element only.
 */
public final class MaxPool2d extends Module implements Layer {
    private final int k;
    private final int stride;
    private long[] inShape;
    /** For every output element, the flat index of its maximum inside the (contiguous) input. */
    private int[] argmax;

    public MaxPool2d(int kernel, int stride) {
        if (kernel < 1 || stride < 1) {
            throw new IllegalArgumentException("kernel and stride must be positive, got " + kernel + ", " + stride);
        }
        this.k = kernel;
        this.stride = stride;
    }

    @Override
    public INDArray forward(INDArray input) {
        if (input.rank() != 4 || input.size(2) < k || input.size(3) < k) {
            throw new IllegalArgumentException("MaxPool2d(" + k + ") expects [B, C, H, W] with H, W >= " + k + ", got "
                    + java.util.Arrays.toString(input.shape()));
        }
        INDArray x = Contiguous.of(input);
        int planes = (int) (x.size(0) * x.size(1));
        int h = (int) x.size(2);
        int w = (int) x.size(3);
        int ho = (h - k) / stride + 1;
        int wo = (w - k) / stride + 1;
        INDArray y = buffers.get("y", x.dataType(), x.size(0), x.size(1), ho, wo);
        int outLen = planes * ho * wo;
        if (argmax == null || argmax.length != outLen) {
            argmax = new int[outLen];
        }
        boolean dbl = x.dataType() == DataType.DOUBLE;
        var xd = dbl ? x.data().asNioDouble() : null;
        var xf = dbl ? null : x.data().asNioFloat();
        var yd = dbl ? y.data().asNioDouble() : null;
        var yf = dbl ? null : y.data().asNioFloat();
        int xo = (int) x.offset();
        int yo = (int) y.offset();
        int[] arg = argmax;
        planes(planes, (long) h * w).forEach(p -> {
            for (int oh = 0; oh < ho; oh++) {
                for (int ow = 0; ow < wo; ow++) {
                    int best = -1;
                    double bestV = Double.NEGATIVE_INFINITY;
                    for (int i = 0; i < k; i++) {
                        int row = (p * h + oh * stride + i) * w + ow * stride;
                        for (int j = 0; j < k; j++) {
                            double v = dbl ? xd.get(xo + row + j) : xf.get(xo + row + j);
                            // NaN propagates, as in PyTorch
                            if (best < 0 || v > bestV || Double.isNaN(v) && !Double.isNaN(bestV)) {
                                best = row + j;
                                bestV = v;
                            }
                        }
                    }
                    int o = (p * ho + oh) * wo + ow;
                    arg[o] = best;
                    if (dbl) {
                        yd.put(yo + o, bestV);
                    } else {
                        yf.put(yo + o, (float) bestV);
                    }
                }
            }
        });
        inShape = storesActivations() ? x.shape() : null;
        return y;
    }

    @Override
    public INDArray backward(INDArray dyIn) {
        stored(inShape);
        INDArray dy = Contiguous.of(dyIn);
        INDArray dx = buffers.get("dx", dy.dataType(), inShape);
        dx.assign(0);
        int planes = (int) (inShape[0] * inShape[1]);
        int perPlaneOut = (int) (dy.length() / planes);
        boolean dbl = dy.dataType() == DataType.DOUBLE;
        var gd = dbl ? dy.data().asNioDouble() : null;
        var gf = dbl ? null : dy.data().asNioFloat();
        var dd = dbl ? dx.data().asNioDouble() : null;
        var df = dbl ? null : dx.data().asNioFloat();
        int go = (int) dy.offset();
        int dxo = (int) dx.offset();
        int[] arg = argmax;
        // windows overlap when stride < kernel, so accumulate; each plane is written by one task only
        planes(planes, (long) perPlaneOut * k * k).forEach(p -> {
            for (int o = p * perPlaneOut, end = o + perPlaneOut; o < end; o++) {
                int at = dxo + arg[o];
                if (dbl) {
                    dd.put(at, dd.get(at) + gd.get(go + o));
                } else {
                    df.put(at, df.get(at) + gf.get(go + o));
                }
            }
        });
        return dx;
    }

    private static IntStream planes(int n, long workPerPlane) {
        IntStream s = IntStream.range(0, n);
        return n > 1 && n * workPerPlane >= (1 << 15) ? s.parallel() : s;
    }
}
