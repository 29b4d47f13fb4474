package org.svgjava.encoder.autoencoder;

import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.svgjava.core.nn.Activation;
import org.svgjava.core.nn.Conv2d;
import org.svgjava.core.nn.Layer;
import org.svgjava.core.nn.LayerNorm;
import org.svgjava.core.nn.Linear;
import org.svgjava.core.nn.Module;
import org.svgjava.core.nn.SeededDropout;
import org.svgjava.encoder.init.TorchInit;

/**
 * SVG's residual encoder ({@code extra_vit}): torchvision's {@code VisionTransformer} with the head replaced by
 * {@code Linear-GELU-Linear} to 8 channels and the official custom forward:
 * <pre>
 * x = conv_proj(x).flatten(2).transpose(1, 2)          # [B, N, D]
 * x = encoder(cat(class_token, x))                     # + pos_embedding, dropout, blocks, ln
 * return heads(x[:, 1:]).transpose(1, 2)               # class token dropped: [B, 8, N]
 * </pre>
 * Parameter names are torchvision's, so {@code extra_vit.*} of the Lightning checkpoint loads by name. The input is
 * the ImageNet-normalised image (the official model feeds the residual encoder the same tensor as DINOv3).
 */
public final class ResidualEncoder extends Module implements Layer {
    private final ResidualEncoderConfig cfg;
    private final Conv2d convProj;
    private final SeededDropout dropout;
    private final List<EncoderBlock> layers = new ArrayList<>();
    private final LayerNorm ln;
    private final Linear head0;
    private final Activation head1;
    private final Linear head2;
    private long batch;

    public ResidualEncoder(ResidualEncoderConfig cfg, long seed) {
        this.cfg = cfg;
        int d = cfg.hiddenDim();
        convProj = addModule("conv_proj", new Conv2d(3, d, cfg.patchSize(), cfg.patchSize(), 0));
        declareParameter("class_token", 1, 1, d);
        declareParameter("encoder.pos_embedding", 1, cfg.seqLength(), d);
        dropout = addModule("encoder.dropout", new SeededDropout(cfg.dropout(), seed));
        for (int i = 0; i < cfg.numLayers(); i++) {
            layers.add(addModule("encoder.layers.encoder_layer_" + i, new EncoderBlock(d, cfg.numHeads(), cfg.mlpDim(),
                    cfg.dropout(), cfg.attentionDropout(), blockSeed(seed, i))));
        }
        ln = addModule("encoder.ln", new LayerNorm(d, 1e-6, true));
        head0 = addModule("heads.0", new Linear(d, d));
        head1 = addModule("heads.1", new Activation(Activation.Kind.GELU_ERF));
        head2 = addModule("heads.2", new Linear(d, cfg.outputDim()));
    }

    public ResidualEncoderConfig config() {
        return cfg;
    }

    /** Restarts every dropout stream (position dropout, each block's four) from one seed. */
    public void reseed(long seed) {
        dropout.reseed(seed);
        for (int i = 0; i < layers.size(); i++) {
            layers.get(i).reseed(blockSeed(seed, i));
        }
    }

    private static long blockSeed(long seed, int i) {
        return seed + 16L * (i + 1);
    }

    /**
     * torchvision's initialisation: {@code conv_proj} truncated normal with std sqrt(1/fan_in) and zero bias, zero
     * class token, N(0, 0.02) positions; attention in-projection xavier-uniform with zero biases, out-projection
     * PyTorch's Linear default with zero bias; MLP xavier-uniform weights and N(0, 1e-6) biases; LayerNorms 1 and 0;
     * the replaced head keeps PyTorch's Linear default.
     */
    public void initialize(long seed) {
        TorchInit init = new TorchInit(seed);
        INDArray w = convProj.weight();
        init.truncatedNormal(w, Math.sqrt(1.0 / (w.size(1) * w.size(2) * w.size(3))));
        convProj.bias().assign(0);
        p("class_token").assign(0);
        init.normal(p("encoder.pos_embedding"), 0, 0.02);
        for (EncoderBlock b : layers) {
            MultiheadAttention a = b.attention();
            init.xavierUniform(a.inProjWeight());
            a.inProjBias().assign(0);
            init.torchDefault(a.outProj().weight(), null);
            a.outProj().bias().assign(0);
            for (Linear l : new Linear[] {b.mlpIn(), b.mlpOut()}) {
                init.xavierUniform(l.weight());
                init.normal(l.bias(), 0, 1e-6);
            }
            for (LayerNorm n : b.norms()) {
                n.resetParameters();
            }
        }
        ln.resetParameters();
        init.torchDefault(head0.weight(), head0.bias());
        init.torchDefault(head2.weight(), head2.bias());
    }

    /** x {@code [B, 3, S, S]} (ImageNet-normalised, S the configured size) to {@code [B, outputDim, N]}. */
    @Override
    public INDArray forward(INDArray x) {
        if (x.rank() != 4 || x.size(1) != 3 || x.size(2) != cfg.imageSize() || x.size(3) != cfg.imageSize()) {
            throw new IllegalArgumentException("the residual encoder takes [B, 3, " + cfg.imageSize() + ", "
                    + cfg.imageSize() + "] (torchvision's ViT has a fixed position table), got "
                    + java.util.Arrays.toString(x.shape()));
        }
        DataType type = p("class_token").dataType();
        long b = x.size(0);
        int d = cfg.hiddenDim();
        int n = cfg.gridSize() * cfg.gridSize();
        INDArray patches = convProj.forward(x.dataType() == type ? x : x.castTo(type));
        INDArray tokens = buffers.get("tokens", type, b, n + 1, d);
        tokens.get(NDArrayIndex.all(), NDArrayIndex.point(0), NDArrayIndex.all())
                .assign(p("class_token").reshape(1, d).broadcast(b, d));
        tokens.get(NDArrayIndex.all(), NDArrayIndex.interval(1, n + 1), NDArrayIndex.all())
                .assign(patches.reshape('c', b, d, n).permute(0, 2, 1));
        INDArray pos = p("encoder.pos_embedding").reshape(n + 1, d);
        for (long i = 0; i < b; i++) {
            tokens.slice(i).addi(pos);
        }
        INDArray h = dropout.forward(tokens);
        for (EncoderBlock blk : layers) {
            h = blk.forward(h);
        }
        INDArray normed = ln.forward(h);
        INDArray patchTokens = buffers.get("patchTokens", type, b, n, d)
                .assign(normed.get(NDArrayIndex.all(), NDArrayIndex.interval(1, n + 1), NDArrayIndex.all()));
        INDArray y = head2.forward(head1.forward(head0.forward(patchTokens)));
        batch = b;
        return buffers.get("out", type, b, cfg.outputDim(), n).assign(y.permute(0, 2, 1));
    }

    /** dL/d(output) {@code [B, outputDim, N]}; returns dL/d(image) and accumulates every parameter gradient. */
    @Override
    public INDArray backward(INDArray dout) {
        DataType type = dout.dataType();
        long b = batch;
        int d = cfg.hiddenDim();
        int n = cfg.gridSize() * cfg.gridSize();
        INDArray dy = buffers.get("dy", type, b, n, cfg.outputDim()).assign(dout.permute(0, 2, 1));
        INDArray dPatch = head0.backward(head1.backward(head2.backward(dy)));
        INDArray dNormed = buffers.get("dNormed", type, b, n + 1, d);
        dNormed.get(NDArrayIndex.all(), NDArrayIndex.point(0), NDArrayIndex.all()).assign(0);
        dNormed.get(NDArrayIndex.all(), NDArrayIndex.interval(1, n + 1), NDArrayIndex.all()).assign(dPatch);
        INDArray dh = ln.backward(dNormed);
        for (int i = layers.size() - 1; i >= 0; i--) {
            dh = layers.get(i).backward(dh);
        }
        INDArray dTokens = dropout.backward(dh);
        if (g("encoder.pos_embedding") != null) {
            g("encoder.pos_embedding").addi(dTokens.sum(0).reshape(1, n + 1, d));
            g("class_token").addi(dTokens.get(NDArrayIndex.all(), NDArrayIndex.point(0), NDArrayIndex.all())
                    .sum(0).reshape(1, 1, d));
        }
        INDArray dPatches = buffers.get("dPatches", type, b, d, cfg.gridSize(), cfg.gridSize());
        dPatches.reshape('c', b, d, n).assign(
                dTokens.get(NDArrayIndex.all(), NDArrayIndex.interval(1, n + 1), NDArrayIndex.all()).permute(0, 2, 1));
        return convProj.backward(dPatches);
    }
}
