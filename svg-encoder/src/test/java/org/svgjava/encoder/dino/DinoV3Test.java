package org.svgjava.encoder.dino;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.svgjava.core.io.SafeTensors;
import org.svgjava.core.io.StateDict;
import org.svgjava.core.testing.Allclose;
import org.svgjava.core.testing.Golden;

/** The official DINOv3 outputs (golden/dinov3_tiny_*: embed 64, depth 2, 2 heads) from both weight formats. */
class DinoV3Test {
    private static DinoV3 load(String dir, String file) throws Exception {
        StateDict sd = DinoV3Checkpoint.load(Golden.path(dir + "/" + file));
        return DinoV3.fromStateDict(sd, DinoV3Config.fromStateDict(sd, 2));
    }

    @ParameterizedTest
    @CsvSource({
        "dinov3_tiny_swiglu, io_64x48, model.pth",
        "dinov3_tiny_swiglu, io_64x48, model_hf.safetensors",
        "dinov3_tiny_swiglu, io_32x32, model.pth",
        "dinov3_tiny_swiglu, io_32x32, model_hf.safetensors",
        "dinov3_tiny_mlp, io_48x64, model.pth",
        "dinov3_tiny_mlp, io_48x64, model_hf.safetensors",
    })
    void forwardFeaturesMatchOfficial(String dir, String io, String weights) throws Exception {
        DinoV3 model = load(dir, weights);
        SafeTensors.Contents g = Golden.safetensors(dir + "/" + io + ".safetensors");
        DinoV3.Features f = model.forward(g.get("x").toINDArray(DataType.FLOAT));
        Allclose.assertRelClose("x_norm_clstoken", f.clsToken(), g.get("x_norm_clstoken").toINDArray(DataType.FLOAT), 1e-4);
        Allclose.assertRelClose("x_storage_tokens", f.storageTokens(), g.get("x_storage_tokens").toINDArray(DataType.FLOAT), 1e-4);
        Allclose.assertRelClose("x_norm_patchtokens", f.patchTokens(), g.get("x_norm_patchtokens").toINDArray(DataType.FLOAT), 1e-4);
        Allclose.assertRelClose("x_prenorm", f.prenorm(), g.get("x_prenorm").toINDArray(DataType.FLOAT), 1e-4);
        INDArray[] sc = model.ropeTables(f.gridH(), f.gridW());
        Allclose.assertRelClose("rope_sin", sc[0], g.get("rope_sin").toINDArray(DataType.FLOAT), 1e-4);
        Allclose.assertRelClose("rope_cos", sc[1], g.get("rope_cos").toINDArray(DataType.FLOAT), 1e-4);
        // the map layout of SVG: z[b, ch, r, c] = patch token r*W + c
        INDArray map = f.patchTokenMap();
        assertThat(map.shape()).containsExactly(2, 64, f.gridH(), f.gridW());
        int r = f.gridH() - 1;
        int c = f.gridW() - 1;
        assertThat(map.getFloat(1, 5, r, c)).isEqualTo(f.patchTokens().getFloat(1, (long) r * f.gridW() + c, 5));
    }

    @Test
    void recomputedPeriodsAreMetasBf16Values() throws Exception {
        float[] fromFile = StateDict.load(Golden.path("dinov3_tiny_swiglu/model.pth")).get("rope_embed.periods").toFloatArray();
        assertThat(RopeTables.metaPeriods(32, 100)).containsExactly(fromFile);
        // the spec's table for head_dim 64 (ViT-S+): bf16 periods 1.3359375 at j=1, 75 at j=15
        float[] s = RopeTables.metaPeriods(64, 100);
        assertThat(s[1]).isEqualTo(1.3359375f);
        assertThat(s[9]).isEqualTo(13.3125f);
        assertThat(s[15]).isEqualTo(75f);
    }

    @Test
    void fullSizeVits16PlusAcceptsExactlyTheReleasedNamesAndShapes() throws Exception {
        DinoV3 model = new DinoV3(DinoV3Config.vits16plus());
        model.build(DataType.FLOAT);
        JsonNode manifest = new ObjectMapper().readTree(Golden.path("dinov3_vits16plus_manifest.json").toFile());
        Map<String, long[]> expected = new HashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = manifest.get("state_dict").fields(); it.hasNext(); ) {
            var e = it.next();
            JsonNode s = e.getValue().get("shape");
            long[] shape = new long[s.size()];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = s.get(i).asLong();
            }
            expected.put(e.getKey(), shape);
        }
        assertThat(expected).hasSize(212);
        assertThat(model.parameters().views().keySet()).containsExactlyInAnyOrderElementsOf(expected.keySet());
        for (var e : model.parameters().views().entrySet()) {
            assertThat(e.getValue().shape()).as(e.getKey()).containsExactly(expected.get(e.getKey()));
        }
        // the published count is of nn.Parameters: the buffers (bias masks, RoPE periods) are not in it
        long buffers = model.parameters().views().entrySet().stream()
                .filter(e -> e.getKey().endsWith("bias_mask") || e.getKey().equals("rope_embed.periods"))
                .mapToLong(e -> e.getValue().length()).sum();
        assertThat(model.parameters().numel() - buffers).isEqualTo(manifest.get("params").asLong()).isEqualTo(28_697_472L);
        assertThat(model.gradients()).as("frozen: no gradient buffer").isNull();
    }

    @Test
    void variantIsReadFromTheWeights() throws Exception {
        StateDict sd = StateDict.load(Golden.path("dinov3_tiny_mlp/model.pth"));
        DinoV3Config c = DinoV3Config.fromStateDict(sd, 2);
        assertThat(c.embedDim()).isEqualTo(64);
        assertThat(c.depth()).isEqualTo(2);
        assertThat(c.swiglu()).isFalse();
        assertThat(c.ffnHidden()).isEqualTo(256);
        assertThatThrownBy(() -> DinoV3Config.fromStateDict(sd)).hasMessageContaining("width 64")
                .hasMessageContaining("heads");
    }

    @Test
    void mismatchedWeightsAreRefusedWithEveryProblem() throws Exception {
        StateDict sd = StateDict.load(Golden.path("dinov3_tiny_swiglu/model.pth"));
        DinoV3Config wrong = DinoV3Config.of("x", 64, 3, 2, false, 256);
        assertThatThrownBy(() -> DinoV3.fromStateDict(sd, wrong))
                .hasMessageContaining("model.pth")
                .hasMessageContaining("blocks.2.norm1.weight")
                .hasMessageContaining("blocks.0.mlp.w1.weight")
                .hasMessageContaining("blocks.0.mlp.fc1.weight");
    }

    @Test
    void rejectsSizesThatAreNotMultiplesOfThePatch() throws Exception {
        DinoV3 model = load("dinov3_tiny_mlp", "model.pth");
        assertThatThrownBy(() -> model.forward(org.nd4j.linalg.factory.Nd4j.zeros(DataType.FLOAT, 1, 3, 40, 32)))
                .hasMessageContaining("multiples of 16");
    }

    @Test
    void randomStandInDependsOnlyOnTheSeed() {
        // train-autoencoder and encode build the stand-in in separate processes: both must get the same encoder
        DinoV3Config cfg = DinoV3Config.of("dinov3_test", 16, 1, 2, true, 32);
        org.nd4j.linalg.factory.Nd4j.randn(DataType.FLOAT, 7); // whatever ran before must not matter
        INDArray a = DinoV3.random(cfg, 3).parameters().flat().dup();
        INDArray b = DinoV3.random(cfg, 3).parameters().flat().dup();
        assertThat(a.sub(b).amaxNumber().doubleValue()).as("two stand-ins with seed 3 differ by").isZero();
        assertThat(a.sub(DinoV3.random(cfg, 4).parameters().flat()).amaxNumber().doubleValue())
                .as("another seed, other weights").isPositive();
    }
}
