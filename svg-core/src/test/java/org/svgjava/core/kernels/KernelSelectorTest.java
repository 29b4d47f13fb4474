package org.svgjava.core.kernels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;

class KernelSelectorTest {
    private static final String CPU = "org.nd4j.linalg.cpu.nativecpu.CpuBackend";
    private static final String CUDA = "org.nd4j.linalg.jcublas.JCublasBackend";

    @Test
    void theCpuBackendGetsTheCpuKernels() {
        assertThat(Nd4j.getBackend().getClass().getName()).isEqualTo(CPU);
        if (System.getProperty(KernelSelector.PROPERTY) == null) {
            assertThat(Kernels.get()).isInstanceOf(CpuKernels.class);
        }
        assertThat(Kernels.get()).isSameAs(Kernels.get());
    }

    @Test
    void otherBackendsGetThePortableKernels() {
        assertThat(KernelSelector.choose(null, CPU)).isEqualTo(KernelSelector.Choice.CPU);
        assertThat(KernelSelector.choose(null, CUDA)).isEqualTo(KernelSelector.Choice.PORTABLE);
        assertThat(KernelSelector.choose("", CUDA)).isEqualTo(KernelSelector.Choice.PORTABLE);
    }

    @Test
    void thePropertyOverrides() {
        assertThat(KernelSelector.choose("portable", CPU)).isEqualTo(KernelSelector.Choice.PORTABLE);
        assertThat(KernelSelector.choose(" CPU ", CPU)).isEqualTo(KernelSelector.Choice.CPU);
        assertThat(KernelSelector.choose("cpu", CUDA)).isEqualTo(KernelSelector.Choice.CPU);
        assertThatThrownBy(() -> KernelSelector.choose("gpu", CPU)).hasMessageContaining("svgjava.kernels")
                .hasMessageContaining("gpu");
    }
}
