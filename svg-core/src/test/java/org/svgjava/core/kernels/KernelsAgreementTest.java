package org.svgjava.core.kernels;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.svgjava.core.testing.Allclose;

/**
 * Every method of both implementations against the naive double reference, and CpuKernels against
 * PortableKernels directly, in FLOAT and DOUBLE, at an odd small size and a size that runs multi-threaded.
 * Tolerances are max |error| / max |expected| (the golden-file measure), and element-wise
 * {@code |error| <= tol + 10 tol |expected|}.
 */
class KernelsAgreementTest {
    private static final Kernels CPU = new CpuKernels();
    private static final Kernels PORTABLE = new PortableKernels();
    private static final Kernels REF = new ReferenceKernels();

    static double tolerance(DataType t) {
        return t == DataType.FLOAT ? 1e-5 : 1e-12;
    }

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (KernelCases.Case c : KernelCases.all()) {
            for (DataType t : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
                for (boolean large : new boolean[] {false, true}) {
                    out.add(Arguments.of(c, t, large));
                }
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} {1} large={2}")
    @MethodSource("cases")
    void bothImplementationsMatchTheReferenceAndEachOther(KernelCases.Case c, DataType type, boolean large) {
        Map<String, INDArray> in = c.inputs(type, large, new Random(c.name().hashCode() + (large ? 1 : 0)));
        Map<String, INDArray> snapshot = KernelCases.map();
        in.forEach((k, v) -> snapshot.put(k, v == null ? null : v.dup()));

        Map<String, INDArray> expected = c.run(REF, in);
        Map<String, INDArray> cpu = c.run(CPU, in);
        Map<String, INDArray> portable = c.run(PORTABLE, in);
        double tol = tolerance(type);
        for (String name : expected.keySet()) {
            if (expected.get(name) == null) {
                continue;
            }
            Allclose.assertRelClose(c.name() + " cpu " + name, cpu.get(name), expected.get(name), tol);
            Allclose.assertRelClose(c.name() + " portable " + name, portable.get(name), expected.get(name), tol);
            Allclose.assertRelClose(c.name() + " cpu vs portable " + name, cpu.get(name), portable.get(name), tol);
            // element-wise too, so that a few large values (the tails put into activation inputs) cannot hide
            // errors in the small ones
            Allclose.assertAllclose(c.name() + " cpu elementwise " + name, cpu.get(name), expected.get(name),
                    10 * tol, tol);
            Allclose.assertAllclose(c.name() + " portable elementwise " + name, portable.get(name),
                    expected.get(name), 10 * tol, tol);
            assertThat(cpu.get(name).dataType()).isEqualTo(type);
        }
        // inputs are read-only for every implementation
        in.forEach((k, v) -> {
            if (v != null) {
                assertThat(v).as("input " + k + " unchanged").isEqualTo(snapshot.get(k));
            }
        });
    }

    /**
     * The fused CPU attention backward keeps one head's gradients per thread: a layer that hands it its buffers
     * must not get [B, H, T, dh] arrays allocated for nothing (22 MB per DiT-S layer at batch 8). The portable
     * default asks for the three it writes.
     */
    @Test
    void onlyThePortableAttentionBackwardAsksForWorkArrays() {
        Map<String, INDArray> in = KernelCases.splitAttentionInputs(DataType.FLOAT, true, new Random(7));
        List<String> asked = new ArrayList<>();
        WorkArrays recording = (key, type, shape) -> {
            asked.add(key);
            return KernelCases.GARBAGE.get(key, type, shape);
        };
        KernelCases.attentionAndSplitBackward(CPU, in, true, recording);
        assertThat(asked).isEmpty();
        KernelCases.attentionAndSplitBackward(PORTABLE, in, true, recording);
        assertThat(asked).containsExactly("dq", "dk", "dv");
    }
}
