package org.svgjava.core.blas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Each case runs in a fresh JVM with {@code OPENBLAS_VERBOSE=2}, so the kernel family is what OpenBLAS itself
 * reports when it loads ("Core: ..."), not what this library believes it asked for.
 */
class OpenBlasSetupTest {
    private static boolean linuxX86() {
        return System.getProperty("os.name").toLowerCase().contains("linux")
                && System.getProperty("os.arch").contains("64")
                && CpuFeatures.flags().contains("avx2");
    }

    @Test
    void programThatOnlyUsesNd4jGetsTheSelectedKernels() throws Exception {
        assumeTrue(linuxX86());
        // Haswell is not what OpenBLAS picks on an AVX-512 machine by itself, so seeing it proves our setenv ran first
        String out = ChildJvm.run(PlainNd4jProgram.class, Map.of(), "-Dsvgjava.blas.coretype=Haswell");
        assertThat(out).contains("Core: Haswell").contains("outcome=APPLIED").doesNotContain("WARN")
                .contains("OMP_WAIT_POLICY=PASSIVE");
    }

    @Test
    void threadSettingsTheUserChoseAreKept() throws Exception {
        assumeTrue(linuxX86());
        String out = ChildJvm.run(PlainNd4jProgram.class, Map.of("OMP_WAIT_POLICY", "ACTIVE"));
        assertThat(out).contains("OMP_WAIT_POLICY=ACTIVE");
    }

    @Test
    void defaultSelectionIsTheCpusOwnFamily() throws Exception {
        assumeTrue(linuxX86());
        String wanted = CpuFeatures.openBlasCoreType(CpuFeatures.flags());
        String out = ChildJvm.run(PlainNd4jProgram.class, Map.of());
        assertThat(out).contains("Core: " + wanted).doesNotContain("Core: Prescott");
    }

    @Test
    void aValueTheUserExportedIsNeverOverridden() throws Exception {
        assumeTrue(linuxX86());
        String out = ChildJvm.run(PlainNd4jProgram.class, Map.of(OpenBlasSetup.ENV, "Haswell"),
                "-Dsvgjava.blas.coretype=SkylakeX");
        assertThat(out).contains("Core: Haswell").contains("outcome=USER_SET");
    }

    @Test
    void canBeSwitchedOff() throws Exception {
        assumeTrue(linuxX86());
        String out = ChildJvm.run(PlainNd4jProgram.class, Map.of(), "-Dsvgjava.blas.autotune=false",
                "-Dsvgjava.blas.coretype=Core2");
        assertThat(out).contains("outcome=DISABLED").doesNotContain("Core: Core2");
    }

    @Test
    void warnsWithTheExactFixWhenOpenBlasWasLoadedFirst() throws Exception {
        assumeTrue(linuxX86());
        String out = ChildJvm.run(LoadsOpenBlasFirst.class, Map.of(), "-Dsvgjava.blas.coretype=Haswell");
        assertThat(out).contains("outcome=TOO_LATE")
                .contains("WARN")
                .contains("OPENBLAS_CORETYPE=Haswell");
    }

    @Test
    void cpuFlagsMapToKernelFamilies() {
        assertThat(CpuFeatures.openBlasCoreType(java.util.Set.of("avx512f", "avx512bw", "avx512dq", "avx512vl",
                "avx512cd", "avx2", "fma"))).isEqualTo("SkylakeX");
        assertThat(CpuFeatures.openBlasCoreType(java.util.Set.of("avx2", "fma", "avx512f"))).isEqualTo("Haswell");
        assertThat(CpuFeatures.openBlasCoreType(java.util.Set.of("sse4_2"))).isNull();
    }
}
