package org.svgjava.core.nn;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.svgjava.core.kernels.Kernels;

/** Parameter-free element-wise activations: GELU (tanh approximation or exact erf) and SiLU. */
public final class Activation extends Module implements Layer {
    /** The function. */
    public enum Kind { GELU_TANH, GELU_ERF, SILU }

    private final Kind kind;
    private INDArray x;

    public Activation(Kind kind) {
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }

    @Override
    public INDArray forward(INDArray input) {
        INDArray y = buffers.like("y", input);
        apply(kind, input, y);
        x = storesActivations() ? input : null;
        return y;
    }

    @Override
    public INDArray backward(INDArray dy) {
        stored(x);
        INDArray dx = buffers.like("dx", dy);
        switch (kind) {
            case GELU_TANH -> Kernels.get().geluBackward(x, dy, dx, true);
            case GELU_ERF -> Kernels.get().geluBackward(x, dy, dx, false);
            case SILU -> Kernels.get().siluBackward(x, dy, dx);
        }
        return dx;
    }

    /**
     * GELU's {@link #backward(INDArray)} that also adds the column sums of dx (over all but its last dimension)
     * into {@code dxColumnSums} in the same pass ({@link Kernels#geluBackward(INDArray, INDArray, INDArray,
     * boolean, INDArray)}): the bias gradient of the linear layer before this activation.
     */
    public INDArray backward(INDArray dy, INDArray dxColumnSums) {
        if (kind == Kind.SILU) {
            throw new IllegalStateException("column sums come with the GELU backward only");
        }
        stored(x);
        INDArray dx = buffers.like("dx", dy);
        Kernels.get().geluBackward(x, dy, dx, kind == Kind.GELU_TANH, dxColumnSums);
        return dx;
    }

    /** The stateless function; y may be x. */
    public static void apply(Kind kind, INDArray x, INDArray y) {
        switch (kind) {
            case GELU_TANH -> Kernels.get().gelu(x, y, true);
            case GELU_ERF -> Kernels.get().gelu(x, y, false);
            case SILU -> Kernels.get().silu(x, y);
        }
    }
}
