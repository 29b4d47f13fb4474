package org.svgjava.encoder.decoder;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.svgjava.core.kernels.ConvInput;
import org.svgjava.core.kernels.Kernels;
import org.svgjava.core.nn.Conv2d;
import org.svgjava.core.nn.GroupNorm;
import org.svgjava.core.nn.Layer;
import org.svgjava.core.nn.Module;

/**
 * The LDM {@code ResnetBlock} without timestep embedding and with dropout 0:
 * <pre>
 * h = conv1(swish(norm1(x)));  h = conv2(swish(norm2(h)));  return skip(x) + h
 * </pre>
 * norms are GroupNorm(32, eps 1e-6), convs 3x3; skip is {@code nin_shortcut} (1x1 conv) when the width changes.
 */
public final class ResnetBlock extends Module implements Layer {
    private final GroupNorm norm1;
    private final Conv2d conv1;
    private final GroupNorm norm2;
    private final Conv2d conv2;
    private final Conv2d ninShortcut;
    private INDArray n1;
    private INDArray n2;

    public ResnetBlock(int in, int out) {
        norm1 = addModule("norm1", new GroupNorm(32, in, 1e-6));
        conv1 = addModule("conv1", new Conv2d(in, out, 3, 1, 1));
        norm2 = addModule("norm2", new GroupNorm(32, out, 1e-6));
        conv2 = addModule("conv2", new Conv2d(out, out, 3, 1, 1));
        ninShortcut = in != out ? addModule("nin_shortcut", new Conv2d(in, out, 1, 1, 0)) : null;
    }

    @Override
    public INDArray forward(INDArray x) {
        n1 = norm1.forward(x);
        INDArray h = convOfSwish(conv1, "a1", n1, null);
        n2 = norm2.forward(h);
        return convOfSwish(conv2, "a2", n2, ninShortcut != null ? ninShortcut.forward(x) : x);
    }

    @Override
    public INDArray backward(INDArray dout) {
        stored(n1);
        INDArray da2 = conv2.backward(dout);
        INDArray dn2 = buffers.like("dn2", da2);
        Kernels.get().siluBackward(n2, da2, dn2);
        INDArray da1 = conv1.backward(norm2.backward(dn2));
        INDArray dn1 = buffers.like("dn1", da1);
        Kernels.get().siluBackward(n1, da1, dn1);
        INDArray dx = norm1.backward(dn1);
        return dx.addi(ninShortcut != null ? ninShortcut.backward(dout) : dout);
    }

    /**
     * conv(swish(n)) + residual (may be null): in inference both fused into the conv's copies where it can, else
     * swish materialised and the residual added in place, which is safe because the conv keeps its input, not its
     * output.
     */
    private INDArray convOfSwish(Conv2d conv, String key, INDArray n, INDArray residual) {
        INDArray y = conv.forwardOf(ConvInput.SILU, n, residual);
        if (y != null) {
            return y;
        }
        y = conv.forward(swish(key, n));
        return residual != null ? y.addi(residual) : y;
    }

    /**
     * swish(n): in place when nothing will be differentiated (the norm's output is not needed again), else into a
     * buffer of this block, because the backward of swish needs n.
     */
    private INDArray swish(String key, INDArray n) {
        if (!storesActivations()) {
            Kernels.get().silu(n, n);
            return n;
        }
        INDArray a = buffers.like(key, n);
        Kernels.get().silu(n, a);
        return a;
    }
}
