package org.svgjava.encoder.decoder;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.svgjava.core.nn.Activation;
import org.svgjava.core.nn.Attention;
import org.svgjava.core.nn.Layer;
import org.svgjava.core.nn.LayerNorm;
import org.svgjava.core.nn.Mlp;
import org.svgjava.core.nn.Module;

/**
 * timm's pre-norm ViT {@code Block}: {@code x = x + attn(norm1(x)); x = x + mlp(norm2(x))}, LayerNorm eps 1e-6,
 * qkv bias, exact GELU (MAE's decoder blocks).
 */
public final class VitBlock extends Module implements Layer {
    private final LayerNorm norm1;
    private final Attention attn;
    private final LayerNorm norm2;
    private final Mlp mlp;

    public VitBlock(int dim, int heads, double mlpRatio) {
        norm1 = addModule("norm1", new LayerNorm(dim, 1e-6, true));
        attn = addModule("attn", new Attention(dim, heads, true, false, false));
        norm2 = addModule("norm2", new LayerNorm(dim, 1e-6, true));
        mlp = addModule("mlp", new Mlp(dim, (long) (dim * mlpRatio), dim, Activation.Kind.GELU_ERF));
    }

    @Override
    public INDArray forward(INDArray x) {
        INDArray x1 = buffers.like("x1", x).assign(x).addi(attn.forward(norm1.forward(x)));
        return buffers.like("out", x).assign(x1).addi(mlp.forward(norm2.forward(x1)));
    }

    @Override
    public INDArray backward(INDArray dout) {
        INDArray dx1 = buffers.like("dx1", dout).assign(dout).addi(norm2.backward(mlp.backward(dout)));
        return buffers.like("dx", dout).assign(dx1).addi(norm1.backward(attn.backward(dx1)));
    }
}
