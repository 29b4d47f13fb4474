package org.svgjava.encoder.dino;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.svgjava.core.nn.Activation;
import org.svgjava.core.nn.Attention;
import org.svgjava.core.nn.Layer;
import org.svgjava.core.nn.LayerNorm;
import org.svgjava.core.nn.LayerScale;
import org.svgjava.core.nn.Mlp;
import org.svgjava.core.nn.Module;
import org.svgjava.core.nn.SwiGLU;

/** {@code x = x + ls1(attn(norm1(x), rope)); x = x + ls2(mlp(norm2(x)))}: Meta's {@code SelfAttentionBlock}. */
public final class DinoV3Block extends Module {
    private final LayerNorm norm1;
    private final Attention attn;
    private final LayerScale ls1;
    private final LayerNorm norm2;
    private final Layer mlp;
    private final LayerScale ls2;

    public DinoV3Block(DinoV3Config cfg) {
        int d = cfg.embedDim();
        norm1 = addModule("norm1", new LayerNorm(d, cfg.eps(), true));
        attn = addModule("attn", new Attention(d, cfg.heads(), true, false, true));
        ls1 = addModule("ls1", new LayerScale(d));
        norm2 = addModule("norm2", new LayerNorm(d, cfg.eps(), true));
        mlp = cfg.swiglu() ? addModule("mlp", new SwiGLU(d, cfg.ffnHidden(), d))
                : addModule("mlp", new Mlp(d, cfg.ffnHidden(), d, Activation.Kind.GELU_ERF));
        ls2 = addModule("ls2", new LayerScale(d));
    }

    public INDArray forward(INDArray x, Attention.Rope rope) {
        INDArray x1 = buffers.like("x1", x).assign(x).addi(ls1.forward(attn.forward(norm1.forward(x), rope)));
        return buffers.like("x2", x1).assign(x1).addi(ls2.forward(mlp.forward(norm2.forward(x1))));
    }
}
