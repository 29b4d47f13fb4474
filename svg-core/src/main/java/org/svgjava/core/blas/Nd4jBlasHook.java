package org.svgjava.core.blas;

import org.nd4j.common.io.Resource;
import org.nd4j.linalg.factory.Environment;
import org.nd4j.linalg.factory.Nd4jBackend;

/**
 * A backend that never runs: ND4J instantiates every registered backend before it loads any native library, and
 * this constructor is where {@link OpenBlasSetup} gets its chance to act. It reports itself unavailable and has
 * the lowest priority, so ND4J always picks the real backend before even asking it.
 */
public final class Nd4jBlasHook extends Nd4jBackend {
    public Nd4jBlasHook() {
        OpenBlasSetup.configure();
    }

    @Override
    public boolean allowsOrder() {
        return false;
    }

    @Override
    public int getPriority() {
        return Integer.MIN_VALUE;
    }

    @Override
    public boolean isAvailable() {
        return false;
    }

    @Override
    public boolean canRun() {
        return false;
    }

    @Override
    public Resource getConfigurationResource() {
        return null;
    }

    @Override
    public Class getNDArrayClass() {
        return null;
    }

    @Override
    public Environment getEnvironment() {
        return null;
    }

    @Override
    public String buildInfo() {
        return "svg-java OpenBLAS kernel selection (not a backend)";
    }

    @Override
    public void logBackendInit() {
        // never selected
    }
}
