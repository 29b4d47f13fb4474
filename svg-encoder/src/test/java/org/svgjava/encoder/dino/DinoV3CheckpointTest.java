package org.svgjava.encoder.dino;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.svgjava.core.io.DType;
import org.svgjava.core.io.SafeTensors;
import org.svgjava.core.io.StateDict;
import org.svgjava.core.testing.Golden;

/** Meta's .pth and the Hugging Face safetensors of the same weights hold the same numbers under the mapping. */
class DinoV3CheckpointTest {
    @ParameterizedTest
    @ValueSource(strings = {"dinov3_tiny_swiglu", "dinov3_tiny_mlp"})
    void huggingFaceFileConvertsToMetasNumbers(String dir) throws Exception {
        StateDict meta = StateDict.load(Golden.path(dir + "/model.pth"));
        StateDict hf = StateDict.load(Golden.path(dir + "/model_hf.safetensors"));
        assertThat(DinoV3Checkpoint.isHuggingFace(hf)).isTrue();
        assertThat(DinoV3Checkpoint.isHuggingFace(meta)).isFalse();
        StateDict converted = DinoV3Checkpoint.fromHuggingFace(hf);

        Set<String> expectedNames = new HashSet<>(meta.names());
        expectedNames.remove("rope_embed.periods"); // Hugging Face recomputes the periods
        assertThat(converted.names()).containsExactlyInAnyOrderElementsOf(expectedNames);
        assertThat(meta.get("rope_embed.periods").dtype()).isEqualTo(DType.BF16);

        for (String name : expectedNames) {
            INDArray m = meta.get(name).toINDArray(DataType.FLOAT);
            INDArray c = converted.get(name).toINDArray(DataType.FLOAT);
            assertThat(c.shape()).as(name).containsExactly(m.shape());
            if (name.endsWith("attn.qkv.bias")) {
                // Meta's k bias is non-zero but masked out; what the model adds is bias * bias_mask
                String mask = name + "_mask";
                INDArray effMeta = m.mul(meta.get(mask).toINDArray(DataType.FLOAT));
                INDArray effHf = c.mul(converted.get(mask).toINDArray(DataType.FLOAT));
                assertThat(effHf).as(name).isEqualTo(effMeta);
            } else {
                assertThat(c).as(name).isEqualTo(m);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"dinov3_tiny_swiglu", "dinov3_tiny_mlp"})
    void kBiasOfMetaFileIsMaskedButNonZero(String dir) throws Exception {
        // the golden file exercises the mask: without it the k bias would change the outputs
        StateDict meta = StateDict.load(Golden.path(dir + "/model.pth"));
        INDArray bias = meta.get("blocks.0.attn.qkv.bias").toINDArray(DataType.FLOAT);
        INDArray mask = meta.get("blocks.0.attn.qkv.bias_mask").toINDArray(DataType.FLOAT);
        long d = bias.length() / 3;
        assertThat(bias.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(d, 2 * d)).norm2Number().doubleValue()).isPositive();
        assertThat(mask.toFloatVector()).containsOnly(0f, 1f);
        assertThat(mask.sumNumber().doubleValue()).isEqualTo(2.0 * d);
        assertThat(SafeTensors.read(Golden.path(dir + "/model_hf.safetensors")).tensors())
                .doesNotContainKey("layer.0.attention.k_proj.bias");
    }
}
