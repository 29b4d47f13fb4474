package org.svgjava.core.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;
import org.svgjava.core.io.StateDict.RenameRule;
import org.svgjava.core.testing.Golden;

class StateDictTest {
    private static StateDict sd(String... names) {
        Map<String, TensorData> m = new LinkedHashMap<>();
        for (String n : names) {
            m.put(n, TensorData.of(Nd4j.createFromArray((float) n.length())));
        }
        return StateDict.of(m, null);
    }

    @Test
    void prefixes() {
        StateDict s = sd("decoder.conv_in.weight", "decoder.norm_out.bias", "encoder.cls_token", "mask_token");
        assertThat(s.select("decoder.").names()).containsExactly("conv_in.weight", "norm_out.bias");
        assertThat(sd("module.a", "b").stripPrefix("module.").names()).containsExactly("a", "b");
        assertThat(sd("a").addPrefix("ema.").names()).containsExactly("ema.a");
        assertThat(s.filter(n -> !n.startsWith("encoder.")).size()).isEqualTo(3);
    }

    @Test
    void renameRulesApplyInOrder() {
        StateDict s = sd("blocks.0.ls1.gamma", "blocks.11.ls2.gamma", "norm.weight");
        StateDict r = s.rename(List.of(
                RenameRule.of("^blocks\\.(\\d+)\\.ls(\\d)\\.gamma$", "layer.$1.layer_scale$2.lambda1"),
                RenameRule.of("^layer\\.", "encoder.layer.")));
        assertThat(r.names()).containsExactly("encoder.layer.0.layer_scale1.lambda1",
                "encoder.layer.11.layer_scale2.lambda1", "norm.weight");
    }

    @Test
    void renameThatMergesTwoNamesIsRefused() {
        assertThatThrownBy(() -> sd("a.x", "b.x").rename(List.of(RenameRule.of("^[ab]\\.", ""))))
                .hasMessageContaining("'a.x'").hasMessageContaining("'b.x'").hasMessageContaining("'x'");
    }

    @Test
    void findsTheWeightsInsideTrainingCheckpoints() throws Exception {
        // {"ema": state_dict}, as the released SVG-XL checkpoint
        StateDict ema = StateDict.load(Golden.path("svg_dit_tiny/checkpoint.pt"));
        assertThat(ema.size()).isEqualTo(40);
        assertThat(ema.names()).contains("blocks.1.attn.q_norm.weight", "y_embedder.embedding_table.weight");
        assertThat(StateDict.load(Golden.path("svg_dit_tiny/checkpoint.pt"), "ema").names()).isEqualTo(ema.names());
        // Lightning {"state_dict": ..., "global_step": 0}
        StateDict ae = StateDict.load(Golden.path("svg_autoencoder_tiny/autoencoder.ckpt"));
        assertThat(ae.contains("mask_token")).isTrue();
        StateDict decoder = ae.select("decoder.");
        assertThat(decoder.names()).hasSize(106).contains("conv_in.weight").noneMatch(n -> n.startsWith("decoder."));
        // a plain state dict at the top level, and safetensors
        assertThat(StateDict.load(Golden.path("feature_stats/stats.pt")).names())
                .containsExactlyInAnyOrder("dinov3_sp_mean", "dinov3_sp_std");
        assertThat(StateDict.load(Golden.path("feature_stats/stats.safetensors")).size()).isEqualTo(2);
    }

    @Test
    void wrongEntryPathNamesTheFileAndTheKeys() {
        assertThatThrownBy(() -> StateDict.load(Golden.path("svg_dit_tiny/checkpoint.pt"), "model"))
                .isInstanceOf(WeightFileException.class).hasMessageContaining("checkpoint.pt")
                .hasMessageContaining("no entry 'model'").hasMessageContaining("ema");
        assertThatThrownBy(() -> StateDict.load(Golden.path("feature_stats/stats.safetensors"), "ema"))
                .hasMessageContaining("stats.safetensors").hasMessageContaining("no nested entry");
    }

    @Test
    void missingNameIsReported() {
        assertThatThrownBy(() -> sd("a").get("b")).isInstanceOf(WeightFileException.class)
                .hasMessageContaining("'b'").hasMessageContaining("missing");
    }
}
