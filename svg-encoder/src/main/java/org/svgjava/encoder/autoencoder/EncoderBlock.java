package org.svgjava.encoder.autoencoder;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.svgjava.core.nn.Activation;
import org.svgjava.core.nn.Layer;
import org.svgjava.core.nn.LayerNorm;
import org.svgjava.core.nn.Linear;
import org.svgjava.core.nn.Module;
import org.svgjava.core.nn.SeededDropout;

/**
 * torchvision's ViT {@code EncoderBlock} with its names:
 * <pre>
 * x = x + dropout(self_attention(ln_1(x)))
 * x = x + mlp(ln_2(x))        # mlp = 0 Linear, 1 GELU (erf), 2 Dropout, 3 Linear, 4 Dropout
 * </pre>
 * LayerNorms use eps 1e-6; every dropout is active in training only.
 */
public final class EncoderBlock extends Module implements Layer {
    private final LayerNorm ln1;
    private final MultiheadAttention attention;
    private final SeededDropout dropout;
    private final LayerNorm ln2;
    private final Linear mlp0;
    private final Activation mlp1;
    private final SeededDropout mlp2;
    private final Linear mlp3;
    private final SeededDropout mlp4;

    public EncoderBlock(int hidden, int heads, int mlpDim, double dropoutP, double attentionDropout, long seed) {
        ln1 = addModule("ln_1", new LayerNorm(hidden, 1e-6, true));
        attention = addModule("self_attention", new MultiheadAttention(hidden, heads, attentionDropout, seed));
        dropout = addModule("dropout", new SeededDropout(dropoutP, seed + 1));
        ln2 = addModule("ln_2", new LayerNorm(hidden, 1e-6, true));
        mlp0 = addModule("mlp.0", new Linear(hidden, mlpDim));
        mlp1 = addModule("mlp.1", new Activation(Activation.Kind.GELU_ERF));
        mlp2 = addModule("mlp.2", new SeededDropout(dropoutP, seed + 2));
        mlp3 = addModule("mlp.3", new Linear(mlpDim, hidden));
        mlp4 = addModule("mlp.4", new SeededDropout(dropoutP, seed + 3));
    }

    public MultiheadAttention attention() {
        return attention;
    }

    public Linear mlpIn() {
        return mlp0;
    }

    public Linear mlpOut() {
        return mlp3;
    }

    public LayerNorm[] norms() {
        return new LayerNorm[] {ln1, ln2};
    }

    /** Restarts every dropout stream of the block from one seed. */
    public void reseed(long seed) {
        attention.reseed(seed);
        dropout.reseed(seed + 1);
        mlp2.reseed(seed + 2);
        mlp4.reseed(seed + 3);
    }

    @Override
    public INDArray forward(INDArray x) {
        INDArray a = dropout.forward(attention.forward(ln1.forward(x)));
        INDArray x1 = buffers.like("x1", x).assign(x).addi(a);
        INDArray m = mlp4.forward(mlp3.forward(mlp2.forward(mlp1.forward(mlp0.forward(ln2.forward(x1))))));
        return buffers.like("out", x).assign(x1).addi(m);
    }

    @Override
    public INDArray backward(INDArray dout) {
        INDArray dm = ln2.backward(mlp0.backward(mlp1.backward(mlp2.backward(mlp3.backward(mlp4.backward(dout))))));
        INDArray dx1 = buffers.like("dx1", dout).assign(dout).addi(dm);
        INDArray da = ln1.backward(attention.backward(dropout.backward(dx1)));
        return buffers.like("dx", dout).assign(dx1).addi(da);
    }
}
