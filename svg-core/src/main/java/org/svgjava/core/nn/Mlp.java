package org.svgjava.core.nn;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * timm's {@code Mlp}: {@code fc2(act(fc1(x)))} with parameter names {@code fc1.*}, {@code fc2.*} (DiT/SiT with
 * GELU-tanh, DINOv3 ViT-S/B/L with exact GELU).
 */
public final class Mlp extends Module implements Layer {
    private final Linear fc1;
    private final Activation act;
    private final Linear fc2;

    public Mlp(long in, long hidden, long out, Activation.Kind activation) {
        fc1 = addModule("fc1", new Linear(in, hidden));
        act = addModule("act", new Activation(activation));
        fc2 = addModule("fc2", new Linear(hidden, out));
    }

    public Linear fc1() {
        return fc1;
    }

    public Linear fc2() {
        return fc2;
    }

    @Override
    public INDArray forward(INDArray x) {
        return fc2.forward(act.forward(fc1.forward(x)));
    }

    @Override
    public INDArray backward(INDArray dy) {
        INDArray dh = fc2.backward(dy);
        INDArray fc1Bias = fc1.biasGradient();
        if (fc1Bias == null || act.kind() == Activation.Kind.SILU) {
            return fc1.backward(act.backward(dh));
        }
        // fc1's bias gradient is summed by the activation's backward as it writes fc1's output gradient
        return fc1.backward(act.backward(dh, fc1Bias), true);
    }
}
