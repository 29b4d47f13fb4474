package org.svgjava.core.kernels;

import java.util.Locale;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Picks the {@link Kernels} of this process once: {@link CpuKernels} when ND4J runs on its CPU backend, else
 * {@link PortableKernels}. The system property {@value #PROPERTY} ({@code cpu} or {@code portable}) overrides.
 */
final class KernelSelector {
    static final String PROPERTY = "svgjava.kernels";
    private static final Logger log = LoggerFactory.getLogger(KernelSelector.class);

    enum Choice { CPU, PORTABLE }

    private KernelSelector() {
    }

    static Kernels get() {
        return Holder.INSTANCE;
    }

    /** The decision alone, for tests: an override, else the backend class name. */
    static Choice choose(String override, String backendClassName) {
        boolean cpuBackend = isCpuBackend(backendClassName);
        if (override != null && !override.isBlank()) {
            switch (override.trim().toLowerCase(Locale.ROOT)) {
                case "cpu" -> {
                    if (!cpuBackend) {
                        log.warn("{}=cpu on the {} backend: the CPU kernels read host memory directly and need the"
                                + " CPU backend", PROPERTY, backendClassName);
                    }
                    return Choice.CPU;
                }
                case "portable" -> {
                    return Choice.PORTABLE;
                }
                default -> throw new IllegalArgumentException(
                        PROPERTY + " must be 'cpu' or 'portable', got '" + override + "'");
            }
        }
        return cpuBackend ? Choice.CPU : Choice.PORTABLE;
    }

    static boolean isCpuBackend(String backendClassName) {
        if (backendClassName == null) {
            return false;
        }
        String simple = backendClassName.substring(backendClassName.lastIndexOf('.') + 1);
        return simple.contains("Cpu") || backendClassName.equals("org.nd4j.linalg.cpu.nativecpu.CpuBackend");
    }

    private static final class Holder {
        static final Kernels INSTANCE = create();

        private static Kernels create() {
            String backend = Nd4j.getBackend().getClass().getName();
            Choice c = choose(System.getProperty(PROPERTY), backend);
            log.debug("kernels: {} (ND4J backend {})", c, backend);
            return c == Choice.CPU ? new CpuKernels() : new PortableKernels();
        }
    }
}
