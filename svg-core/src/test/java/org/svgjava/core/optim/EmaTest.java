package org.svgjava.core.optim;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.svgjava.core.nn.ParameterSet;
import org.svgjava.core.testing.Allclose;

class EmaTest {
    private static final double TOL = 1e-6;
    private static OptimGolden golden;

    @BeforeAll
    static void load() throws Exception {
        golden = OptimGolden.load();
    }

    @Test
    void matchesTheOfficialUpdateEma() throws Exception {
        assertThat(golden.metadata().get("ema")).contains("0.9999");
        for (DataType type : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
            ParameterSet p = ParameterSet.builder().add("w", 4, 3).build(type);
            p.get("w").assign(golden.get("ema.before", type));
            Ema ema = new Ema(p, 0.9999);
            assertThat(ema.decay()).isEqualTo(0.9999);
            p.get("w").assign(golden.get("ema.param", type));
            ema.update();
            Allclose.assertRelClose(type + " ema", ema.shadow().get("w"), golden.get("ema.after", type), TOL);
            Allclose.assertRelClose(type + " params untouched", p.get("w"), golden.get("ema.param", type), 0);
        }
    }

    @Test
    void shadowStartsAsACopyAndAveragesFrozenParametersToo() {
        ParameterSet p = ParameterSet.builder().add("pos_embed", 1, 4, 2).add("w", 3).build();
        p.flat().assign(Nd4j.createFromArray(1f, 2f, 3f, 4f, 5f, 6f, 7f, 8f, 9f, 10f, 11f));
        Ema ema = new Ema(p, 0.5);
        assertThat(ema.shadow().flat().toFloatVector()).containsExactly(p.flat().toFloatVector());
        p.flat().assign(0);
        assertThat(ema.shadow().flat().getFloat(0)).as("a copy, not a view").isEqualTo(1f);
        ema.update();
        assertThat(ema.shadow().flat().toFloatVector())
                .containsExactly(0.5f, 1f, 1.5f, 2f, 2.5f, 3f, 3.5f, 4f, 4.5f, 5f, 5.5f);
        ema.update(0);
        assertThat(ema.shadow().flat().toFloatVector()).containsOnly(0f);
    }

    @Test
    void largeBuffersTakeTheParallelPath() throws Exception {
        int copies = 6000;
        ParameterSet p = ParameterSet.builder().add("w", copies, 4, 3).build();
        assertThat(p.numel()).isGreaterThanOrEqualTo(ChunkedLoop.PARALLEL_THRESHOLD);
        p.get("w").assign(Nd4j.tile(golden.get("ema.before").reshape(1, 4, 3), copies, 1, 1));
        Ema ema = new Ema(p, 0.9999);
        INDArray param = Nd4j.tile(golden.get("ema.param").reshape(1, 4, 3), copies, 1, 1);
        p.get("w").assign(param);
        ema.update();
        Allclose.assertRelClose("ema", ema.shadow().get("w"),
                Nd4j.tile(golden.get("ema.after").reshape(1, 4, 3), copies, 1, 1), TOL);
    }

    @Test
    void updateAllocatesNothingOnTheHeap() {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        ParameterSet p = ParameterSet.builder().add("a", 64, 16).add("b", 100).build();
        p.flat().assign(Nd4j.rand(DataType.FLOAT, p.numel()));
        Ema ema = new Ema(p, 0.999);
        for (int i = 0; i < 20_000; i++) {
            ema.update();
        }
        long before = mx.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < 10_000; i++) {
            ema.update();
        }
        assertThat(mx.getCurrentThreadAllocatedBytes() - before).isLessThan(1024);
    }
}
