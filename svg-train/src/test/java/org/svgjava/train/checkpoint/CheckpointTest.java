package org.svgjava.train.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.factory.Nd4j;
import org.svgjava.core.io.StateDictMismatchException;
import org.svgjava.core.io.WeightFileException;
import org.svgjava.core.nn.ParameterSet;

class CheckpointTest {
    @TempDir
    Path tmp;

    static ParameterSet params(float v) {
        ParameterSet p = ParameterSet.builder().add("a.weight", 2, 3).add("b", 4).build();
        p.flat().assign(v);
        return p;
    }

    @Test
    void savesPartsAndScalarsAndKeepsTheNewest() throws Exception {
        for (int s = 1; s <= 4; s++) {
            Checkpoint.save(tmp, s * 10, Map.of("model", params(s), "ema", params(-s)), Map.of("note", "x" + s), 2);
        }
        try (var files = Files.list(tmp)) {
            assertThat(files.map(p -> p.getFileName().toString()).sorted())
                    .containsExactly("step-0000030.safetensors", "step-0000040.safetensors");
        }
        Checkpoint c = Checkpoint.load(Checkpoint.latest(tmp).orElseThrow());
        assertThat(c.step()).isEqualTo(40);
        assertThat(c.meta()).containsEntry("note", "x4");
        ParameterSet target = params(0);
        c.restore("ema", target);
        assertThat(target.flat().toFloatVector()).containsOnly(-4f);
        assertThat(c.has("opt")).isFalse();
    }

    @Test
    void mismatchedStateAndForeignFilesAreRefusedClearly() throws Exception {
        Checkpoint.save(tmp, 1, Map.of("model", params(1)), Map.of(), 0);
        Checkpoint c = Checkpoint.load(Checkpoint.fileFor(tmp, 1));
        ParameterSet other = ParameterSet.builder().add("a.weight", 3, 2).build();
        assertThatThrownBy(() -> c.restore("model", other)).isInstanceOf(StateDictMismatchException.class)
                .hasMessageContaining("step-0000001.safetensors").hasMessageContaining("a.weight");
        Path foreign = tmp.resolve("foreign.safetensors");
        org.svgjava.core.io.SafeTensors.write(foreign, Map.of("x", Nd4j.ones(2)), Map.of());
        assertThatThrownBy(() -> Checkpoint.load(foreign)).isInstanceOf(WeightFileException.class)
                .hasMessageContaining("not an svg-java training checkpoint");
    }
}
