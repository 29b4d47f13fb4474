package org.svgjava.encoder.dino;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.svgjava.core.io.StateDict;
import org.svgjava.core.io.TensorData;
import org.svgjava.core.io.WeightFileException;
import org.svgjava.core.nn.Attention;
import org.svgjava.core.nn.Conv2d;
import org.svgjava.core.nn.LayerNorm;
import org.svgjava.core.nn.Module;
import org.svgjava.encoder.init.TorchInit;

/**
 * Meta's DINOv3 vision transformer ({@code DinoVisionTransformer.forward_features}, eval mode), frozen: patch-16
 * convolution, class token and register tokens, axial RoPE on the patch tokens, pre-norm blocks with LayerScale,
 * final LayerNorm. Parameter names are Meta's, so its {@code .pth} loads by name; Hugging Face files are
 * converted by {@link DinoV3Checkpoint}.
 */
public final class DinoV3 extends Module {
    /** The outputs of {@code forward_features}, copied out of the model's buffers. */
    public record Features(INDArray clsToken, INDArray storageTokens, INDArray patchTokens, INDArray prenorm,
                           int gridH, int gridW) {
        /** Patch tokens as a {@code [B, C, H/16, W/16]} map: channel-first, token p = row*W + col (the SVG latent layout). */
        public INDArray patchTokenMap() {
            long b = patchTokens.size(0);
            long c = patchTokens.size(2);
            return patchTokens.permute(0, 2, 1).dup('c').reshape(b, c, gridH, gridW);
        }
    }

    private final DinoV3Config cfg;
    private final Conv2d patchEmbed;
    private final List<DinoV3Block> blocks = new ArrayList<>();
    private final LayerNorm norm;
    private INDArray ropeSin;
    private INDArray ropeCos;
    private long ropeGrid = -1;

    public DinoV3(DinoV3Config cfg) {
        this.cfg = cfg;
        int d = cfg.embedDim();
        declareParameter("cls_token", 1, 1, d);
        declareParameter("storage_tokens", 1, cfg.storageTokens(), d);
        declareParameter("mask_token", 1, d);
        patchEmbed = addModule("patch_embed.proj", new Conv2d(3, d, cfg.patchSize(), cfg.patchSize(), 0));
        declareParameter("rope_embed.periods", cfg.headDim() / 4);
        for (int i = 0; i < cfg.depth(); i++) {
            blocks.add(addModule("blocks." + i, new DinoV3Block(cfg)));
        }
        norm = addModule("norm", new LayerNorm(d, cfg.eps(), true));
        freeze();
        inference(true);
        // frozen and inference-only: one set of activation buffers serves every block
        for (int i = 1; i < blocks.size(); i++) {
            blocks.get(i).shareBuffers(blocks.get(0));
        }
    }

    /** Reads Meta's {@code .pth} or a Hugging Face {@code model.safetensors}, detecting the variant. */
    public static DinoV3 load(Path file) throws WeightFileException {
        StateDict sd = DinoV3Checkpoint.load(file);
        return fromStateDict(sd, DinoV3Config.fromStateDict(sd));
    }

    /**
     * Builds the model for {@code cfg} and loads {@code sd} strictly. A file without periods (Hugging Face) gets
     * Meta's bf16-rounded ones, so both formats compute exactly what the original model (and SVG) computes.
     */
    public static DinoV3 fromStateDict(StateDict sd, DinoV3Config cfg) throws WeightFileException {
        DinoV3 model = new DinoV3(cfg);
        model.build(DataType.FLOAT);
        if (!sd.contains("rope_embed.periods")) {
            float[] p = RopeTables.metaPeriods(cfg.headDim(), cfg.ropeBase());
            sd = sd.with("rope_embed.periods", TensorData.of(Nd4j.createFromArray(p)));
        }
        model.parameters().loadStrict(sd);
        return model;
    }

    /** A model with seeded random weights: the stand-in when no pretrained file is available. */
    public static DinoV3 random(DinoV3Config cfg, long seed) {
        DinoV3 model = new DinoV3(cfg);
        model.build(DataType.FLOAT);
        // a Java generator, not ND4J's: Nd4j.getRandom().setSeed(seed) then randn gave other weights on every call
        // (seen in the demo's JVM), so train-autoencoder and a later encode of its checkpoint met different encoders
        TorchInit init = new TorchInit(seed);
        for (var e : model.parameters().views().entrySet()) {
            String name = e.getKey();
            INDArray v = e.getValue();
            if (name.endsWith("norm1.weight") || name.endsWith("norm2.weight") || name.equals("norm.weight")) {
                v.assign(1);
            } else if (name.endsWith(".bias") || name.endsWith("bias_mask")) {
                v.assign(name.endsWith("bias_mask") ? 1 : 0);
            } else if (name.endsWith(".gamma")) {
                v.assign(0.1); // random blocks that still change the tokens noticeably
            } else {
                init.normal(v, 0, 0.02);
            }
        }
        model.parameters().get("rope_embed.periods").assign(Nd4j.createFromArray(RopeTables.metaPeriods(cfg.headDim(), cfg.ropeBase())));
        return model;
    }

    public DinoV3Config config() {
        return cfg;
    }

    /** images {@code [B, 3, H, W]}, ImageNet-normalised, H and W multiples of 16. */
    public Features forward(INDArray images) {
        int p = cfg.patchSize();
        if (images.rank() != 4 || images.size(1) != 3 || images.size(2) % p != 0 || images.size(3) % p != 0) {
            throw new IllegalArgumentException("DINOv3 takes [B, 3, H, W] with H and W multiples of " + p + ", got "
                    + java.util.Arrays.toString(images.shape()));
        }
        long b = images.size(0);
        int gh = (int) (images.size(2) / p);
        int gw = (int) (images.size(3) / p);
        int d = cfg.embedDim();
        int prefix = 1 + cfg.storageTokens();
        long n = prefix + (long) gh * gw;
        INDArray patches = patchEmbed.forward(images.castTo(DataType.FLOAT));
        INDArray x = buffers.get("tokens", DataType.FLOAT, b, n, d);
        for (int i = 0; i < b; i++) {
            INDArray xi = x.slice(i);
            xi.getRow(0).assign(p("cls_token").reshape(d));
            xi.get(NDArrayIndex.interval(1, prefix), NDArrayIndex.all()).assign(p("storage_tokens").reshape(cfg.storageTokens(), d));
            xi.get(NDArrayIndex.interval(prefix, n), NDArrayIndex.all())
                    .assign(patches.slice(i).reshape(d, (long) gh * gw).transpose());
        }
        Attention.Rope rope = rope(gh, gw, prefix);
        for (DinoV3Block blk : blocks) {
            x = blk.forward(x, rope);
        }
        INDArray xn = norm.forward(x);
        return new Features(
                xn.get(NDArrayIndex.all(), NDArrayIndex.point(0), NDArrayIndex.all()).dup('c'),
                xn.get(NDArrayIndex.all(), NDArrayIndex.interval(1, prefix), NDArrayIndex.all()).dup('c'),
                xn.get(NDArrayIndex.all(), NDArrayIndex.interval(prefix, n), NDArrayIndex.all()).dup('c'),
                x.dup('c'), gh, gw);
    }

    /** The RoPE tables of this grid, from the model's periods (Meta's bf16 values when loaded from its .pth). */
    public INDArray[] ropeTables(int gh, int gw) {
        if (ropeGrid != ((long) gh << 32 | gw)) {
            float[] periods = p("rope_embed.periods").toFloatVector();
            INDArray[] sc = RopeTables.sinCos(gh, gw, periods, DataType.FLOAT);
            ropeSin = sc[0];
            ropeCos = sc[1];
            ropeGrid = (long) gh << 32 | gw;
        }
        return new INDArray[] {ropeSin, ropeCos};
    }

    private Attention.Rope rope(int gh, int gw, int prefix) {
        INDArray[] sc = ropeTables(gh, gw);
        return new Attention.Rope(sc[0], sc[1], prefix);
    }
}
