package org.svgjava.core.nn;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.svgjava.core.kernels.Kernels;

/**
 * DINOv3's SwiGLU feed-forward: {@code w3(silu(w1 x) * w2 x)} with {@code w1} the gate, {@code w2} the linear
 * branch and {@code w3} the output projection (Meta's names).
 */
public final class SwiGLU extends Module implements Layer {
    private final Linear w1;
    private final Linear w2;
    private final Linear w3;
    private INDArray gate;
    private INDArray up;

    public SwiGLU(long in, long hidden, long out) {
        w1 = addModule("w1", new Linear(in, hidden));
        w2 = addModule("w2", new Linear(in, hidden));
        w3 = addModule("w3", new Linear(hidden, out));
    }

    @Override
    public INDArray forward(INDArray x) {
        INDArray a = w1.forward(x);
        INDArray b = w2.forward(x);
        INDArray h = buffers.like("h", a);
        Kernels.get().silu(a, h);
        h.muli(b);
        gate = storesActivations() ? a : null;
        up = storesActivations() ? b : null;
        return w3.forward(h);
    }

    @Override
    public INDArray backward(INDArray dy) {
        stored(gate);
        INDArray dh = w3.backward(dy);
        // d(up) = dh * silu(gate); d(gate) = dh * up * silu'(gate)
        INDArray dUp = buffers.like("dUp", dh);
        Kernels.get().silu(gate, dUp);
        dUp.muli(dh);
        INDArray dGate = buffers.like("dGate", dh);
        dGate.assign(dh).muli(up);
        Kernels.get().siluBackward(gate, dGate, dGate);
        // both branches saw the same x: their input gradients add up (w2's buffer is reused for the sum)
        return w2.backward(dUp).addi(w1.backward(dGate));
    }
}
