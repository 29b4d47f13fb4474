package org.svgjava.core.optim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.svgjava.core.io.SafeTensors;
import org.svgjava.core.io.StateDict;
import org.svgjava.core.nn.ParameterSet;
import org.svgjava.core.testing.Allclose;

class AdamWTest {
    private static final double TOL = 1e-6;
    /** The fp32 path rounds where PyTorch's fp32 tensors do and lands within an ulp of its small values. */
    private static final double FP32_TOL = 1e-8;
    private static OptimGolden golden;

    @TempDir
    Path tmp;

    @BeforeAll
    static void load() throws Exception {
        golden = OptimGolden.load();
    }

    private static AdamW adamw(ParameterSet p, ParameterSet g) {
        return new AdamW(p, g, 1e-2, 0.9, 0.999, 1e-8, 0.05);
    }

    private static AdamW adamStage1(ParameterSet p, ParameterSet g) {
        return AdamW.adam(p, g, 1e-4, 0.5, 0.9, 1e-8, 0);
    }

    private static ParameterSet single(DataType type) throws Exception {
        ParameterSet p = ParameterSet.builder().add("p0", 5, 7).build(type);
        p.get("p0").assign(golden.get("p0", type));
        return p;
    }

    static float[] floats(INDArray a) {
        return a.dup('c').reshape(a.length()).toFloatVector();
    }

    /** {@code copies} stacked copies of a [5, 7] tensor: [copies, 5, 7]. */
    private static INDArray tiled(INDArray t, long copies) {
        return Nd4j.tile(t.reshape(1, 5, 7), (int) copies, 1, 1);
    }

    @Test
    void goldenFileHoldsWhatTheTestsAssume() {
        assertThat(golden.names()).contains("p0", "grad1", "grad4", "adamw.step1", "adamw.step4", "adam_ae.step1",
                "adam_ae.step4");
        assertThat(golden.metadata().get("adamw")).contains("lr=1e-2", "betas=(0.9,0.999)", "eps=1e-8",
                "weight_decay=0.05", "torch.optim.AdamW");
        assertThat(golden.metadata().get("adam_ae")).contains("lr=1e-4", "betas=(0.5,0.9)", "eps=1e-8",
                "torch.optim.Adam").doesNotContain("weight_decay");
    }

    @Test
    void adamwMatchesTorchStepByStep() throws Exception {
        ParameterSet p = single(DataType.FLOAT);
        ParameterSet g = p.zerosLike();
        AdamW opt = adamw(p, g);
        for (int k = 1; k <= OptimGolden.STEPS; k++) {
            g.get("p0").assign(golden.get("grad" + k));
            opt.step();
            assertThat(opt.stepCount()).isEqualTo(k);
            Allclose.assertRelClose("adamw step " + k, p.get("p0"), golden.get("adamw.step" + k), FP32_TOL);
        }
    }

    @Test
    void adamWithStage1SettingsMatchesTorchStepByStep() throws Exception {
        ParameterSet p = single(DataType.FLOAT);
        ParameterSet g = p.zerosLike();
        AdamW opt = adamStage1(p, g);
        assertThat(opt.decoupledWeightDecay()).isFalse();
        for (int k = 1; k <= OptimGolden.STEPS; k++) {
            g.get("p0").assign(golden.get("grad" + k));
            opt.step();
            Allclose.assertRelClose("adam step " + k, p.get("p0"), golden.get("adam_ae.step" + k), FP32_TOL);
        }
    }

    @Test
    void doubleParametersMatchTorchToo() throws Exception {
        for (boolean decoupled : new boolean[] {true, false}) {
            ParameterSet p = single(DataType.DOUBLE);
            ParameterSet g = p.zerosLike();
            AdamW opt = decoupled ? adamw(p, g) : adamStage1(p, g);
            for (int k = 1; k <= OptimGolden.STEPS; k++) {
                g.get("p0").assign(golden.get("grad" + k, DataType.DOUBLE));
                opt.step();
                assertThat(p.flat().dataType()).isEqualTo(DataType.DOUBLE);
                Allclose.assertRelClose((decoupled ? "adamw" : "adam") + " double step " + k, p.get("p0"),
                        golden.get((decoupled ? "adamw" : "adam_ae") + ".step" + k, DataType.DOUBLE), TOL);
            }
        }
    }

    /** 70,000 elements in three tensors: the ForkJoinPool path, each copy of p0 must follow the golden run. */
    @Test
    void largeBuffersTakeTheParallelPathWithTheSameResults() throws Exception {
        long[] copies = {1200, 1, 799};
        ParameterSet.Builder b = ParameterSet.builder();
        for (int i = 0; i < copies.length; i++) {
            b.add("t" + i, copies[i], 5, 7);
        }
        ParameterSet p = b.build();
        assertThat(p.numel()).isGreaterThanOrEqualTo(ChunkedLoop.PARALLEL_THRESHOLD);
        for (int i = 0; i < copies.length; i++) {
            p.get("t" + i).assign(tiled(golden.get("p0"), copies[i]));
        }
        ParameterSet g = p.zerosLike();
        AdamW opt = adamw(p, g);
        for (int k = 1; k <= OptimGolden.STEPS; k++) {
            for (int i = 0; i < copies.length; i++) {
                g.get("t" + i).assign(tiled(golden.get("grad" + k), copies[i]));
            }
            opt.step();
            for (int i = 0; i < copies.length; i++) {
                Allclose.assertRelClose("t" + i + " step " + k, p.get("t" + i),
                        tiled(golden.get("adamw.step" + k), copies[i]), TOL);
            }
        }
    }

    @Test
    void frozenParametersAreSkippedEntirely() throws Exception {
        ParameterSet p = ParameterSet.builder()
                .add("pos_embed", 1, 4, 3)
                .add("p0", 5, 7)
                .add("fixed.table", 6)
                .build();
        INDArray pos = Nd4j.rand(DataType.FLOAT, 1, 4, 3).addi(0.5);
        INDArray table = Nd4j.rand(DataType.FLOAT, 6).subi(2);
        p.get("pos_embed").assign(pos);
        p.get("fixed.table").assign(table);
        p.get("p0").assign(golden.get("p0"));
        ParameterSet g = p.zerosLike();
        g.get("pos_embed").assign(7);
        g.get("fixed.table").assign(-3);
        AdamW opt = new AdamW(p, g, 1e-2, 0.9, 0.999, 1e-8, 0.05,
                name -> !name.equals("pos_embed") && !name.startsWith("fixed."));
        assertThat(opt.trainableNames()).containsExactly("p0");
        for (int k = 1; k <= OptimGolden.STEPS; k++) {
            g.get("p0").assign(golden.get("grad" + k));
            opt.step();
            Allclose.assertRelClose("p0 step " + k, p.get("p0"), golden.get("adamw.step" + k), TOL);
        }
        // bit-identical: no decay, no update
        assertThat(floats(p.get("pos_embed"))).containsExactly(floats(pos));
        assertThat(floats(p.get("fixed.table"))).containsExactly(floats(table));
        for (ParameterSet m : opt.moments().values()) {
            assertThat(floats(m.get("pos_embed"))).containsOnly(0f);
            assertThat(floats(m.get("fixed.table"))).containsOnly(0f);
            assertThat(floats(m.get("p0"))).isNotEqualTo(new float[35]);
        }
    }

    @Test
    void stepAllocatesNothingOnTheHeap() {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        ParameterSet p = ParameterSet.builder().add("a", 64, 16).add("pos", 8).add("b", 100).build();
        p.flat().assign(Nd4j.rand(DataType.FLOAT, p.numel()));
        ParameterSet g = p.zerosLike();
        g.flat().assign(Nd4j.randn(DataType.FLOAT, p.numel()));
        AdamW opt = new AdamW(p, g, 1e-3, 0.9, 0.999, 1e-8, 0.01, name -> !name.equals("pos"));
        for (int i = 0; i < 20_000; i++) {
            opt.step();
        }
        long before = mx.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < 10_000; i++) {
            opt.step();
        }
        long allocated = mx.getCurrentThreadAllocatedBytes() - before;
        // a single INDArray per step would be hundreds of kilobytes here
        assertThat(allocated).as("bytes allocated by 10,000 steps").isLessThan(1024);
    }

    @Test
    void resumingFromSavedMomentsIsBitIdentical() throws Exception {
        Random rnd = new Random(7);
        ParameterSet start = ParameterSet.builder().add("w", 300, 250).add("pos_embed", 1, 16, 8).add("b", 250).build();
        float[] init = new float[(int) start.numel()];
        for (int i = 0; i < init.length; i++) {
            init[i] = (float) rnd.nextGaussian();
        }
        float[][] gradSteps = new float[4][init.length];
        for (float[] gs : gradSteps) {
            for (int i = 0; i < gs.length; i++) {
                gs[i] = (float) (rnd.nextGaussian() * 1e-2);
            }
        }

        ParameterSet straight = start.zerosLike();
        straight.flat().assign(Nd4j.createFromArray(init));
        ParameterSet sg = straight.zerosLike();
        AdamW s = new AdamW(straight, sg, 1e-3, 0.9, 0.999, 1e-8, 0.05, name -> !name.equals("pos_embed"));
        for (float[] gs : gradSteps) {
            sg.flat().assign(Nd4j.createFromArray(gs));
            s.step();
        }

        ParameterSet first = start.zerosLike();
        first.flat().assign(Nd4j.createFromArray(init));
        ParameterSet fg = first.zerosLike();
        AdamW a = new AdamW(first, fg, 1e-3, 0.9, 0.999, 1e-8, 0.05, name -> !name.equals("pos_embed"));
        for (int k = 0; k < 2; k++) {
            fg.flat().assign(Nd4j.createFromArray(gradSteps[k]));
            a.step();
        }
        Path file = tmp.resolve("ckpt.safetensors");
        Map<String, Object> tensors = new LinkedHashMap<>();
        first.views().forEach((k, v) -> tensors.put("model." + k, v));
        a.moments().forEach((m, set) -> set.views().forEach((k, v) -> tensors.put("opt." + m + "." + k, v)));
        SafeTensors.write(file, tensors, Map.of("step", Long.toString(a.stepCount())));

        SafeTensors.Contents c = SafeTensors.read(file);
        StateDict sd = StateDict.of(c.tensors(), file);
        ParameterSet resumed = start.zerosLike();
        resumed.loadStrict(sd.select("model."));
        ParameterSet rg = resumed.zerosLike();
        AdamW b = new AdamW(resumed, rg, 1e-3, 0.9, 0.999, 1e-8, 0.05, name -> !name.equals("pos_embed"));
        for (Map.Entry<String, ParameterSet> m : b.moments().entrySet()) {
            m.getValue().loadStrict(sd.select("opt." + m.getKey() + "."));
        }
        b.setStepCount(Long.parseLong(c.metadata().get("step")));
        for (int k = 2; k < 4; k++) {
            rg.flat().assign(Nd4j.createFromArray(gradSteps[k]));
            b.step();
        }

        assertThat(b.stepCount()).isEqualTo(4);
        assertThat(resumed.flat().toFloatVector()).containsExactly(straight.flat().toFloatVector());
        for (String m : new String[] {AdamW.EXP_AVG, AdamW.EXP_AVG_SQ}) {
            assertThat(b.moments().get(m).flat().toFloatVector())
                    .containsExactly(s.moments().get(m).flat().toFloatVector());
        }
    }

    @Test
    void learningRateCanBeScheduled() throws Exception {
        // lr 0 leaves AdamW weights alone (decay is lr-scaled) while moments still advance
        ParameterSet p = single(DataType.FLOAT);
        ParameterSet g = p.zerosLike();
        AdamW opt = adamw(p, g);
        opt.setLr(0);
        g.get("p0").assign(golden.get("grad1"));
        opt.step();
        assertThat(floats(p.get("p0"))).containsExactly(floats(golden.get("p0")));
        assertThat(opt.moments().get(AdamW.EXP_AVG).flat().toFloatVector()).isNotEqualTo(new float[35]);
        opt.setLr(1e-2);
        assertThat(opt.lr()).isEqualTo(1e-2);
    }

    @Test
    void rejectsGradientsLaidOutDifferently() {
        ParameterSet p = ParameterSet.builder().add("a", 2, 3).add("b", 4).build();
        ParameterSet swapped = ParameterSet.builder().add("b", 4).add("a", 2, 3).build();
        ParameterSet reshaped = ParameterSet.builder().add("a", 3, 2).add("b", 4).build();
        ParameterSet dbl = ParameterSet.builder().add("a", 2, 3).add("b", 4).build(DataType.DOUBLE);
        assertThatThrownBy(() -> adamw(p, swapped)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> adamw(p, reshaped)).hasMessageContaining("'a'");
        assertThatThrownBy(() -> adamw(p, dbl)).hasMessageContaining("DOUBLE");
        assertThatThrownBy(() -> new AdamW(p, p.zerosLike(), 1e-3, 1.0, 0.999, 1e-8, 0))
                .hasMessageContaining("betas");
    }
}
