package org.svgjava.core.nn;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.svgjava.core.kernels.ConvInput;
import org.svgjava.core.kernels.CpuConv3x3;
import org.svgjava.core.kernels.NativeScratch;

/**
 * PyTorch's {@code nn.Conv2d} with square kernels: weight {@code [out, in, k, k]} (OIHW), bias {@code [out]},
 * stride and zero padding, on {@code [B, in, H, W]}. Computed per image as one GEMM with the patch matrix
 * ({@link Im2col}); 1x1 convolutions with stride 1 skip the patch matrix, and 3x3 ones with stride 1 and padding 1
 * take {@link CpuConv3x3} on the CPU backend (FLOAT) instead. Backward recomputes the patch matrix
 * instead of keeping one per image.
 */
public final class Conv2d extends Module implements Layer {
    private final int in;
    private final int out;
    private final int k;
    private final int stride;
    private final int pad;
    private final boolean bias;
    private INDArray x;

    public Conv2d(int in, int out, int k, int stride, int pad, boolean bias) {
        this.in = in;
        this.out = out;
        this.k = k;
        this.stride = stride;
        this.pad = pad;
        this.bias = bias;
        declareParameter("weight", out, in, k, k);
        if (bias) {
            declareParameter("bias", out);
        }
    }

    public Conv2d(int in, int out, int k, int stride, int pad) {
        this(in, out, k, stride, pad, true);
    }

    public INDArray weight() {
        return p("weight");
    }

    public INDArray bias() {
        return bias ? p("bias") : null;
    }

    /** The shape of every 3x3 conv of the LDM decoder, which has a faster forward on the CPU. */
    private boolean paddedThreeByThree() {
        return k == 3 && stride == 1 && pad == 1;
    }

    private boolean pointwise() {
        return k == 1 && stride == 1 && pad == 0;
    }

    @Override
    public INDArray forward(INDArray input) {
        INDArray xc = contiguous(input);
        Im2col.Geometry geo = geometry(xc);
        int b = (int) xc.size(0);
        int p = geo.ho() * geo.wo();
        INDArray y = buffers.get("y", xc.dataType(), b, out, geo.ho(), geo.wo());
        x = storesActivations() ? xc : null;
        if (paddedThreeByThree() && CpuConv3x3.supports(xc, p("weight"), bias(), y)) {
            CpuConv3x3.forward(xc, ConvInput.AS_IS, p("weight"), bias(), null, y);
            return y;
        }
        INDArray w2 = p("weight").reshape('c', out, (long) in * k * k);
        for (int i = 0; i < b; i++) {
            INDArray yb = y.slice(i).reshape('c', out, p);
            Nd4j.gemm(w2, columns(xc.slice(i), geo), yb, false, false, 1.0, 0.0);
            if (bias) {
                yb.addiColumnVector(p("bias").reshape(out, 1));
            }
        }
        return y;
    }

    /**
     * {@code forward(f(x)) + residual} in inference, with f (swish, or nearest 2x upsampling) applied while the CPU
     * 3x3 path copies its input, so f(x) is never written out, and the residual (may be null; the output's shape)
     * added while it copies the output. Returns null where that path does not run (another backend or type, another
     * geometry, or a module that keeps activations for backward): the caller then computes f(x), calls
     * {@link #forward} and adds the residual itself. x and residual are left unchanged.
     */
    public INDArray forwardOf(ConvInput f, INDArray x, INDArray residual) {
        if (storesActivations() || !paddedThreeByThree() || x.rank() != 4) {
            return null;
        }
        int scale = f == ConvInput.NEAREST_2X ? 2 : 1;
        INDArray y = buffers.get("y", x.dataType(), x.size(0), out, scale * x.size(2), scale * x.size(3));
        if (!CpuConv3x3.supports(x, f, p("weight"), bias(), residual, y)) {
            return null;
        }
        CpuConv3x3.forward(x, f, p("weight"), bias(), residual, y);
        return y;
    }

    @Override
    public INDArray backward(INDArray dyIn) {
        stored(x);
        INDArray dy = contiguous(dyIn);
        Im2col.Geometry geo = geometry(x);
        int b = (int) x.size(0);
        int p = geo.ho() * geo.wo();
        INDArray w2 = p("weight").reshape('c', out, (long) in * k * k);
        INDArray dx = buffers.like("dx", x);
        INDArray dcols = pointwise() ? null : NativeScratch.matrix("dcols", x.dataType(), geo.rows(), p);
        if (!pointwise()) {
            dx.assign(0);
        }
        for (int i = 0; i < b; i++) {
            INDArray dyb = dy.slice(i).reshape('c', out, p);
            if (g("weight") != null) {
                Nd4j.gemm(dyb, columns(x.slice(i), geo), g("weight").reshape('c', out, (long) in * k * k), false, true, 1.0, 1.0);
                if (bias) {
                    g("bias").addi(dyb.sum(1));
                }
            }
            if (pointwise()) {
                Nd4j.gemm(w2, dyb, dx.slice(i).reshape('c', in, p), true, false, 1.0, 0.0);
            } else {
                Nd4j.gemm(w2, dyb, dcols, true, false, 1.0, 0.0);
                Im2col.col2imAdd(dcols, dx.slice(i), geo);
            }
        }
        return dx;
    }

    private INDArray columns(INDArray image, Im2col.Geometry geo) {
        if (pointwise()) {
            return image.reshape('c', in, (long) geo.h() * geo.w());
        }
        INDArray cols = NativeScratch.matrix("cols", image.dataType(), geo.rows(), (long) geo.ho() * geo.wo());
        Im2col.im2col(image, cols, geo);
        return cols;
    }

    private Im2col.Geometry geometry(INDArray xc) {
        if (xc.rank() != 4 || xc.size(1) != in) {
            throw new IllegalArgumentException("Conv2d(" + in + "->" + out + ") expects [B, " + in + ", H, W], got "
                    + java.util.Arrays.toString(xc.shape()));
        }
        return new Im2col.Geometry(in, (int) xc.size(2), (int) xc.size(3), k, stride, pad);
    }

    private INDArray contiguous(INDArray a) {
        return a.ordering() == 'c' && a.elementWiseStride() == 1 ? a : a.dup('c');
    }
}
