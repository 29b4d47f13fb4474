package org.svgjava.core.nn;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.svgjava.core.kernels.Kernels;

/** PyTorch's {@code nn.GroupNorm(groups, channels, eps, affine=True)} on {@code [B, C, H, W]} (or {@code [B, C, S]}). */
public final class GroupNorm extends Module implements Layer {
    private final int groups;
    private final long channels;
    private final double eps;
    private INDArray x;

    public GroupNorm(int groups, long channels, double eps) {
        if (channels % groups != 0) {
            throw new IllegalArgumentException(channels + " channels do not split into " + groups + " groups");
        }
        this.groups = groups;
        this.channels = channels;
        this.eps = eps;
        declareParameter("weight", channels);
        declareParameter("bias", channels);
    }

    public void resetParameters() {
        p("weight").assign(1);
        p("bias").assign(0);
    }

    @Override
    public INDArray forward(INDArray input) {
        long b = input.size(0);
        INDArray y = buffers.like("y", input);
        Kernels.get().groupNorm(view(input), groups, p("weight"), p("bias"), eps, view(y),
                buffers.get("mean", input.dataType(), b, groups), buffers.get("rstd", input.dataType(), b, groups));
        x = storesActivations() ? input : null;
        return y;
    }

    @Override
    public INDArray backward(INDArray dy) {
        stored(x);
        long b = x.size(0);
        INDArray dx = buffers.like("dx", x);
        Kernels.get().groupNormBackward(view(dy), view(x), groups, p("weight"),
                buffers.get("mean", x.dataType(), b, groups), buffers.get("rstd", x.dataType(), b, groups), view(dx),
                g("weight"), g("bias"));
        return dx;
    }

    private INDArray view(INDArray a) {
        if (a.size(1) != channels) {
            throw new IllegalArgumentException("GroupNorm over " + channels + " channels got " + java.util.Arrays.toString(a.shape()));
        }
        return a.reshape('c', a.size(0), channels, a.length() / (a.size(0) * channels));
    }
}
