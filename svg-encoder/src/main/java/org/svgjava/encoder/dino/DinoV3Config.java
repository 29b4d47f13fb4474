package org.svgjava.encoder.dino;

import java.util.Map;
import org.svgjava.core.io.StateDict;
import org.svgjava.core.io.WeightFileException;

/**
 * Size of a DINOv3 ViT (Meta's {@code backbones.py}): all variants use patch 16, 4 register tokens, RoPE with base
 * 100, LayerNorm eps 1e-5, LayerScale and a masked k bias.
 *
 * @param swiglu     SwiGLU feed-forward ({@code w1, w2, w3}) rather than a GELU MLP ({@code fc1, fc2})
 * @param ffnHidden  hidden width of the feed-forward
 */
public record DinoV3Config(String name, int embedDim, int depth, int heads, boolean swiglu, int ffnHidden,
                           int patchSize, int storageTokens, double ropeBase, double eps) {
    public static DinoV3Config vits16() {
        return of("dinov3_vits16", 384, 12, 6, false, 1536);
    }

    /** The frozen encoder of SVG. */
    public static DinoV3Config vits16plus() {
        return of("dinov3_vits16plus", 384, 12, 6, true, 1536);
    }

    public static DinoV3Config vitb16() {
        return of("dinov3_vitb16", 768, 12, 12, false, 3072);
    }

    public static DinoV3Config vitl16() {
        return of("dinov3_vitl16", 1024, 24, 16, false, 4096);
    }

    public static DinoV3Config vith16plus() {
        return of("dinov3_vith16plus", 1280, 32, 20, true, 5120);
    }

    public static DinoV3Config of(String name, int embedDim, int depth, int heads, boolean swiglu, int ffnHidden) {
        return new DinoV3Config(name, embedDim, depth, heads, swiglu, ffnHidden, 16, 4, 100.0, 1e-5);
    }

    public int headDim() {
        return embedDim / heads;
    }

    /** Heads of the published variants by width: the one size the weights do not tell. */
    private static final Map<Integer, Integer> HEADS_BY_WIDTH = Map.of(384, 6, 768, 12, 1024, 16, 1280, 20);

    /** Reads width, depth, feed-forward kind and size from Meta-named weights; heads from the published table. */
    public static DinoV3Config fromStateDict(StateDict sd) throws WeightFileException {
        int width = width(sd);
        Integer heads = HEADS_BY_WIDTH.get(width);
        if (heads == null) {
            throw new WeightFileException(sd.source(), "patch_embed.proj.weight", "width " + width
                    + " is not a published DINOv3 variant (384, 768, 1024, 1280); give the number of heads explicitly");
        }
        return fromStateDict(sd, heads);
    }

    /** As {@link #fromStateDict(StateDict)} with an explicit head count (for non-standard sizes). */
    public static DinoV3Config fromStateDict(StateDict sd, int heads) throws WeightFileException {
        int width = width(sd);
        int depth = 0;
        while (sd.contains("blocks." + depth + ".norm1.weight")) {
            depth++;
        }
        if (depth == 0) {
            throw new WeightFileException(sd.source(), "blocks.0.norm1.weight", "missing: not a DINOv3 state dict");
        }
        boolean swiglu = sd.contains("blocks.0.mlp.w1.weight");
        int hidden = (int) sd.get(swiglu ? "blocks.0.mlp.w1.weight" : "blocks.0.mlp.fc1.weight").shape()[0];
        String name = switch (width + (swiglu ? "+" : "")) {
            case "384" -> "dinov3_vits16";
            case "384+" -> "dinov3_vits16plus";
            case "768" -> "dinov3_vitb16";
            case "1024" -> "dinov3_vitl16";
            case "1280+" -> "dinov3_vith16plus";
            default -> "dinov3_custom";
        };
        return of(name, width, depth, heads, swiglu, hidden);
    }

    private static int width(StateDict sd) throws WeightFileException {
        return (int) sd.get("patch_embed.proj.weight").shape()[0];
    }
}
