package org.svgjava.encoder.decoder;

import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.svgjava.core.nn.Attention;
import org.svgjava.core.nn.Layer;
import org.svgjava.core.nn.LayerNorm;
import org.svgjava.core.nn.Linear;
import org.svgjava.encoder.init.ModuleTree;
import org.svgjava.encoder.init.TorchInit;

/**
 * A transformer decoder for SVG latents, an alternative to the conv {@link Decoder} (not part of the released
 * model; named after MAE's decoder):
 * <pre>
 * x = decoder_embed(tokens(z)) + decoder_pos_embed      # [B, h*w, width], learned positions
 * x = decoder_blocks(x); x = decoder_norm(x)
 * return unpatchify(decoder_pred(x))                    # each token -> a p x p x 3 patch
 * </pre>
 * Tokens are row-major over the latent grid, as in SVG's latent; the patch layout is MAE's (p, q, c).
 */
public final class VitDecoder extends LatentDecoder {
    private final VitDecoderConfig cfg;
    private final Linear embed;
    private final List<VitBlock> blocks = new ArrayList<>();
    private final LayerNorm norm;
    private final Linear pred;
    private long batch;
    private int gridH;
    private int gridW;

    public VitDecoder(VitDecoderConfig cfg) {
        this.cfg = cfg;
        embed = addModule("decoder_embed", new Linear(cfg.zChannels(), cfg.width()));
        declareParameter("decoder_pos_embed", 1, cfg.tokens(), cfg.width());
        for (int i = 0; i < cfg.depth(); i++) {
            blocks.add(addModule("decoder_blocks." + i, new VitBlock(cfg.width(), cfg.heads(), cfg.mlpRatio())));
        }
        norm = addModule("decoder_norm", new LayerNorm(cfg.width(), 1e-6, true));
        int p = cfg.patchSize();
        pred = addModule("decoder_pred", new Linear(cfg.width(), (long) p * p * 3));
    }

    public VitDecoderConfig config() {
        return cfg;
    }

    @Override
    public int upsampling() {
        return cfg.patchSize();
    }

    /** MAE's initialisation: xavier-uniform Linears with zero bias, LayerNorms 1 and 0, N(0, 0.02) positions. */
    @Override
    public void initialize(long seed) {
        TorchInit init = new TorchInit(seed);
        init.normal(p("decoder_pos_embed"), 0, 0.02);
        ModuleTree.walk(this, m -> {
            if (m instanceof Linear l) {
                init.xavierUniform(l.weight());
                l.bias().assign(0);
            } else if (m instanceof LayerNorm n) {
                n.resetParameters();
            } else if (m instanceof Attention a) {
                a.resetNorms();
            }
        });
    }

    /** z {@code [B, zChannels, h, w]} with h*w the configured token count, to {@code [B, 3, h*p, w*p]}. */
    @Override
    public INDArray forward(INDArray z) {
        if (z.rank() != 4 || z.size(1) != cfg.zChannels() || z.size(2) * z.size(3) != cfg.tokens()) {
            throw new IllegalArgumentException("the ViT decoder takes [B, " + cfg.zChannels() + ", h, w] with h*w = "
                    + cfg.tokens() + ", got " + java.util.Arrays.toString(z.shape()));
        }
        DataType type = p("decoder_pos_embed").dataType();
        batch = z.size(0);
        gridH = (int) z.size(2);
        gridW = (int) z.size(3);
        long n = cfg.tokens();
        INDArray tokens = buffers.get("tokens", type, batch, n, cfg.zChannels())
                .assign(z.castTo(type).reshape('c', batch, cfg.zChannels(), n).permute(0, 2, 1));
        INDArray h = embed.forward(tokens);
        INDArray pos = p("decoder_pos_embed").reshape(n, cfg.width());
        // embed keeps its input, not its output: positions can be added in its output buffer
        for (long i = 0; i < batch; i++) {
            h.slice(i).addi(pos);
        }
        for (VitBlock b : blocks) {
            h = b.forward(h);
        }
        INDArray patches = pred.forward(norm.forward(h));
        int p = cfg.patchSize();
        return unpatchify(patches, gridH, gridW, p, buffers.get("images", type, batch, 3, (long) gridH * p, (long) gridW * p));
    }

    @Override
    public INDArray backward(INDArray dImages) {
        INDArray dh = norm.backward(pred.backward(lastLayerOutputGradient(dImages)));
        for (int i = blocks.size() - 1; i >= 0; i--) {
            dh = blocks.get(i).backward(dh);
        }
        if (g("decoder_pos_embed") != null) {
            g("decoder_pos_embed").addi(dh.sum(0).reshape(1, cfg.tokens(), cfg.width()));
        }
        INDArray dTokens = embed.backward(dh);
        INDArray dz = buffers.get("dz", dTokens.dataType(), batch, cfg.zChannels(), gridH, gridW);
        dz.reshape('c', batch, cfg.zChannels(), cfg.tokens()).assign(dTokens.permute(0, 2, 1));
        return dz;
    }

    @Override
    public String lastLayerName() {
        return "decoder_pred";
    }

    @Override
    protected Layer lastLayer() {
        return pred;
    }

    /** patchify: the inverse permutation of the forward's unpatchify. */
    @Override
    protected INDArray lastLayerOutputGradient(INDArray dImages) {
        int p = cfg.patchSize();
        return patchify(dImages, gridH, gridW, p, buffers.get("dPatches", dImages.dataType(), batch, cfg.tokens(), (long) p * p * 3));
    }

    /** MAE's {@code unpatchify}: token t = i*w + j, entry (pi*p + pj)*3 + c goes to pixel (c, i*p + pi, j*p + pj). */
    static INDArray unpatchify(INDArray patches, int gh, int gw, int p, INDArray images) {
        long b = patches.size(0);
        images.reshape('c', b, 3, gh, p, gw, p).assign(patches.reshape('c', b, gh, gw, p, p, 3).permute(0, 5, 1, 3, 2, 4));
        return images;
    }

    /** MAE's {@code patchify}, the inverse permutation of {@link #unpatchify}. */
    static INDArray patchify(INDArray images, int gh, int gw, int p, INDArray patches) {
        long b = images.size(0);
        INDArray src = images.ordering() == 'c' && images.elementWiseStride() == 1 ? images : images.dup('c');
        patches.reshape('c', b, gh, gw, p, p, 3).assign(src.reshape('c', b, 3, gh, p, gw, p).permute(0, 2, 4, 3, 5, 1));
        return patches;
    }
}
