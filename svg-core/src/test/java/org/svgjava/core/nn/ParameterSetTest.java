package org.svgjava.core.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;
import org.svgjava.core.io.StateDict;
import org.svgjava.core.io.StateDictMismatchException;
import org.svgjava.core.io.TensorData;

class ParameterSetTest {
    private static ParameterSet model() {
        return ParameterSet.builder()
                .add("blocks.0.attn.qkv.weight", 6, 2)
                .add("blocks.0.attn.qkv.bias", 6)
                .add("norm.weight", 2)
                .build();
    }

    @Test
    void viewsShareTheFlatBuffer() {
        ParameterSet p = model();
        assertThat(p.numel()).isEqualTo(12 + 6 + 2);
        p.get("blocks.0.attn.qkv.bias").assign(3);
        p.get("norm.weight").putScalar(1, 7);
        assertThat(p.flat().getFloat(12)).isEqualTo(3);
        assertThat(p.flat().getFloat(17)).isEqualTo(3);
        assertThat(p.flat().getFloat(19)).isEqualTo(7);
        assertThat(p.range("norm.weight")).containsExactly(18, 2);
        p.flat().assign(0);
        assertThat(p.get("norm.weight").sumNumber().doubleValue()).isZero();
        assertThat(p.zerosLike().views().keySet()).containsExactlyElementsOf(p.views().keySet());
    }

    @Test
    void strictLoadCopiesByNameWhateverTheOrderAndDtype() throws Exception {
        ParameterSet p = model();
        Map<String, TensorData> t = new LinkedHashMap<>();
        t.put("norm.weight", TensorData.of(Nd4j.createFromArray(1.0, 2.0)));
        t.put("blocks.0.attn.qkv.bias", TensorData.of(Nd4j.arange(1, 7).castTo(DataType.BFLOAT16)));
        t.put("blocks.0.attn.qkv.weight", TensorData.of(Nd4j.arange(12).castTo(DataType.FLOAT).reshape(6, 2)));
        var report = p.loadStrict(StateDict.of(t, null));
        assertThat(report.loaded()).hasSize(3);
        assertThat(p.get("norm.weight").toFloatVector()).containsExactly(1f, 2f);
        assertThat(p.get("blocks.0.attn.qkv.bias").toFloatVector()).containsExactly(1f, 2f, 3f, 4f, 5f, 6f);
        assertThat(p.get("blocks.0.attn.qkv.weight").getFloat(5, 1)).isEqualTo(11f);
    }

    @Test
    void strictLoadReportsEveryProblemAtOnce() {
        ParameterSet p = model();
        Map<String, TensorData> t = new LinkedHashMap<>();
        t.put("blocks.0.attn.qkv.weight", TensorData.of(Nd4j.zeros(DataType.FLOAT, 2, 6)));
        t.put("norm.bias", TensorData.of(Nd4j.zeros(DataType.FLOAT, 2)));
        t.put("head.weight", TensorData.of(Nd4j.zeros(DataType.FLOAT, 2)));
        StateDict sd = StateDict.of(t, java.nio.file.Path.of("ckpt.pt"));
        assertThatThrownBy(() -> p.loadStrict(sd)).isInstanceOf(StateDictMismatchException.class)
                .hasMessageContaining("ckpt.pt")
                .hasMessageContaining("2 missing from the file: blocks.0.attn.qkv.bias, norm.weight")
                .hasMessageContaining("2 unexpected in the file: norm.bias, head.weight")
                .hasMessageContaining("1 shape mismatches (file vs model): blocks.0.attn.qkv.weight [2, 6] vs [6, 2]");
        assertThat(p.flat().sumNumber().doubleValue()).as("nothing loaded").isZero();
    }

    @Test
    void nonStrictLoadTakesWhatMatches() throws Exception {
        ParameterSet p = model();
        Map<String, TensorData> t = new LinkedHashMap<>();
        t.put("norm.weight", TensorData.of(Nd4j.createFromArray(5f, 6f)));
        t.put("extra", TensorData.of(Nd4j.createFromArray(1f)));
        var r = p.loadNonStrict(StateDict.of(t, null));
        assertThat(r.loaded()).containsExactly("norm.weight");
        assertThat(r.unexpected()).containsExactly("extra");
        assertThat(r.missing()).containsExactly("blocks.0.attn.qkv.weight", "blocks.0.attn.qkv.bias");
        assertThat(p.get("norm.weight").toFloatVector()).containsExactly(5f, 6f);
    }

    @Test
    void duplicateNamesAreRefused() {
        assertThatThrownBy(() -> ParameterSet.builder().add("a", 1).add("a", 2))
                .hasMessageContaining("'a' declared twice");
    }
}
