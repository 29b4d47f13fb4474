package org.svgjava.encoder.dino;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;
import org.svgjava.core.io.DType;
import org.svgjava.core.io.StateDict;
import org.svgjava.core.io.TensorData;
import org.svgjava.core.io.WeightFileException;

/**
 * DINOv3 weights in Meta's naming, from either published format: Meta's {@code .pth} as it is, or a Hugging Face
 * {@code DINOv3ViTModel} {@code model.safetensors} converted back (q/k/v concatenated into {@code qkv}, the absent
 * k bias as zeros with {@code bias_mask = [1, 0, 1]}, {@code layer_scale*.lambda1} as {@code ls*.gamma}, ...).
 * The Hugging Face file has no {@code rope_embed.periods}; the model recomputes them in that case.
 */
public final class DinoV3Checkpoint {
    private static final Pattern HF_LAYER = Pattern.compile("^layer\\.(\\d+)\\.(.+)$");

    private DinoV3Checkpoint() {
    }

    /** Reads either format, telling them apart by their names. */
    public static StateDict load(Path file) throws WeightFileException {
        StateDict sd = StateDict.load(file);
        return isHuggingFace(sd) ? fromHuggingFace(sd) : sd;
    }

    public static boolean isHuggingFace(StateDict sd) {
        return sd.contains("embeddings.cls_token");
    }

    public static StateDict fromHuggingFace(StateDict hf) throws WeightFileException {
        Map<String, TensorData> out = new LinkedHashMap<>();
        Map<Integer, Map<String, TensorData>> layers = new LinkedHashMap<>();
        for (Map.Entry<String, TensorData> e : hf.tensors().entrySet()) {
            String k = e.getKey();
            TensorData t = e.getValue();
            Matcher m = HF_LAYER.matcher(k);
            if (m.matches()) {
                layers.computeIfAbsent(Integer.parseInt(m.group(1)), i -> new LinkedHashMap<>()).put(m.group(2), t);
                continue;
            }
            switch (k) {
                case "embeddings.cls_token" -> out.put("cls_token", t);
                case "embeddings.mask_token" -> out.put("mask_token", t.reshape(1, t.shape()[t.shape().length - 1]));
                case "embeddings.register_tokens" -> out.put("storage_tokens", t);
                case "embeddings.patch_embeddings.weight" -> out.put("patch_embed.proj.weight", t);
                case "embeddings.patch_embeddings.bias" -> out.put("patch_embed.proj.bias", t);
                case "norm.weight", "norm.bias" -> out.put(k, t);
                default -> throw new WeightFileException(hf.source(), k, "is not a DINOv3ViTModel weight");
            }
        }
        for (Map.Entry<Integer, Map<String, TensorData>> e : layers.entrySet()) {
            convertLayer(hf.source(), e.getKey(), e.getValue(), out);
        }
        return StateDict.of(out, hf.source());
    }

    private static void convertLayer(Path src, int i, Map<String, TensorData> l, Map<String, TensorData> out)
            throws WeightFileException {
        String b = "blocks." + i + ".";
        String a = "layer." + i + ".";
        boolean gated = l.containsKey("mlp.gate_proj.weight");
        Map<String, String> plain = new LinkedHashMap<>();
        plain.put("norm1.weight", "norm1.weight");
        plain.put("norm1.bias", "norm1.bias");
        plain.put("attention.o_proj.weight", "attn.proj.weight");
        plain.put("attention.o_proj.bias", "attn.proj.bias");
        plain.put("layer_scale1.lambda1", "ls1.gamma");
        plain.put("norm2.weight", "norm2.weight");
        plain.put("norm2.bias", "norm2.bias");
        plain.put("layer_scale2.lambda1", "ls2.gamma");
        String up = gated ? "w2" : "fc1";
        String down = gated ? "w3" : "fc2";
        plain.put("mlp.up_proj.weight", "mlp." + up + ".weight");
        plain.put("mlp.up_proj.bias", "mlp." + up + ".bias");
        plain.put("mlp.down_proj.weight", "mlp." + down + ".weight");
        plain.put("mlp.down_proj.bias", "mlp." + down + ".bias");
        if (gated) {
            plain.put("mlp.gate_proj.weight", "mlp.w1.weight");
            plain.put("mlp.gate_proj.bias", "mlp.w1.bias");
        }
        for (Map.Entry<String, String> e : plain.entrySet()) {
            TensorData t = l.get(e.getKey());
            if (t == null) {
                throw new WeightFileException(src, a + e.getKey(), "missing from the Hugging Face file");
            }
            out.put(b + e.getValue(), t);
        }
        TensorData q = need(src, a, l, "attention.q_proj.weight");
        TensorData k = need(src, a, l, "attention.k_proj.weight");
        TensorData v = need(src, a, l, "attention.v_proj.weight");
        out.put(b + "attn.qkv.weight", TensorData.concat(List.of(q, k, v)));
        TensorData qb = need(src, a, l, "attention.q_proj.bias");
        TensorData vb = need(src, a, l, "attention.v_proj.bias");
        int d = Math.toIntExact(qb.numel());
        TensorData kb = l.containsKey("attention.k_proj.bias") ? l.get("attention.k_proj.bias") : filled(qb.dtype(), d, 0f);
        out.put(b + "attn.qkv.bias", TensorData.concat(List.of(qb, kb, vb)));
        float kMask = l.containsKey("attention.k_proj.bias") ? 1f : 0f;
        out.put(b + "attn.qkv.bias_mask", TensorData.concat(List.of(filled(DType.F32, d, 1f), filled(DType.F32, d, kMask),
                filled(DType.F32, d, 1f))));
        for (String key : l.keySet()) {
            if (!plain.containsKey(key) && !key.startsWith("attention.q_proj.") && !key.startsWith("attention.k_proj.")
                    && !key.startsWith("attention.v_proj.")) {
                throw new WeightFileException(src, a + key, "is not a DINOv3ViTModel weight");
            }
        }
    }

    private static TensorData need(Path src, String prefix, Map<String, TensorData> l, String key) throws WeightFileException {
        TensorData t = l.get(key);
        if (t == null) {
            throw new WeightFileException(src, prefix + key, "missing from the Hugging Face file");
        }
        return t;
    }

    private static TensorData filled(DType dtype, int n, float value) {
        return TensorData.of(Nd4j.valueArrayOf(new long[] {n}, value, DataType.FLOAT).castTo(dtype.nd4j()));
    }
}
