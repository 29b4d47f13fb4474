package org.svgjava.core.blas;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes OpenBLAS run the kernels this CPU is built for.
 *
 * <p>ND4J 1.0.0-M2.1 bundles OpenBLAS 0.3.19, which does not recognise recent Xeons (Sapphire Rapids) and falls
 * back to SSE3 kernels: a quarter of the GEMM speed. OpenBLAS reads {@code OPENBLAS_CORETYPE} once, when the
 * library is loaded, so the variable is set in this process's environment (libc {@code setenv}) before ND4J loads
 * its backend. {@link Nd4jBlasHook} runs this from ND4J's own backend discovery, so a program that merely has this
 * library on its class path gets the fast kernels. A value the user exported is never overridden; the system
 * property {@code svgjava.blas.autotune=false} turns the whole mechanism off, and {@code svgjava.blas.coretype}
 * names a kernel family other than the one read off the CPU flags. In the same step it sets
 * {@code OMP_WAIT_POLICY=PASSIVE} and {@code OPENBLAS_THREAD_TIMEOUT=4}, so idle OpenMP and OpenBLAS threads sleep
 * instead of spinning against each other on the CPU.
 */
public final class OpenBlasSetup {
    public static final String ENV = "OPENBLAS_CORETYPE";
    public static final String DISABLE_PROPERTY = "svgjava.blas.autotune";
    public static final String CORETYPE_PROPERTY = "svgjava.blas.coretype";
    private static final Logger log = LoggerFactory.getLogger(OpenBlasSetup.class);

    /** What happened when {@link #configure()} first ran. */
    public enum Outcome {
        /** the variable was set before OpenBLAS loaded: the chosen kernels are in use */
        APPLIED,
        /** the user's own {@code OPENBLAS_CORETYPE} is in force */
        USER_SET,
        /** OpenBLAS's own detection is fine on this CPU (or the OS is not one we can configure) */
        NOT_NEEDED,
        /** turned off by {@code -Dsvgjava.blas.autotune=false} */
        DISABLED,
        /** OpenBLAS was already loaded by someone else: too late, a warning says what to do */
        TOO_LATE
    }

    private static Outcome outcome;
    private static String coreType;

    private OpenBlasSetup() {
    }

    /** Sets {@code OPENBLAS_CORETYPE} if it can still take effect. Idempotent and cheap after the first call. */
    public static synchronized Outcome configure() {
        if (outcome != null) {
            return outcome;
        }
        outcome = decide();
        return outcome;
    }

    /** @return the kernel family this library selected, or null when it selected none */
    public static synchronized String coreType() {
        configure();
        return coreType;
    }

    private static Outcome decide() {
        if ("false".equalsIgnoreCase(System.getProperty(DISABLE_PROPERTY))) {
            return Outcome.DISABLED;
        }
        if (isLinux() && !openBlasLoaded()) {
            quietIdleThreads();
        }
        String user = System.getenv(ENV);
        if (user != null && !user.isBlank()) {
            coreType = user;
            return Outcome.USER_SET;
        }
        String wanted = System.getProperty(CORETYPE_PROPERTY, CpuFeatures.openBlasCoreType(CpuFeatures.flags()));
        if (wanted == null || !isLinux()) {
            return Outcome.NOT_NEEDED;
        }
        if (openBlasLoaded()) {
            log.warn("OpenBLAS was loaded before svg-java could select its kernels, so it may run generic SSE3 "
                    + "kernels on this CPU (about 4x slower matrix products). Start the JVM with the environment "
                    + "variable {}={} (for example: export {}={}), or let svg-java load before anything else "
                    + "that uses OpenBLAS.", ENV, wanted, ENV, wanted);
            return Outcome.TOO_LATE;
        }
        try {
            int rc = org.bytedeco.systems.global.linux.setenv(ENV, wanted, 0);
            if (rc != 0) {
                log.warn("setenv({}) failed ({}); start the JVM with {}={} for full matrix-product speed", ENV, rc,
                        ENV, wanted);
                return Outcome.NOT_NEEDED;
            }
        } catch (Throwable t) {
            // no native helper for this platform: nothing we can do from inside the JVM
            log.warn("cannot set {} in this process ({}); start the JVM with {}={} for full matrix-product speed",
                    ENV, t.toString(), ENV, wanted);
            return Outcome.NOT_NEEDED;
        }
        coreType = wanted;
        log.debug("{}={} set before OpenBLAS loads", ENV, wanted);
        return Outcome.APPLIED;
    }

    /**
     * Idle native threads must not spin: ND4J's OpenMP workers and OpenBLAS's workers otherwise busy-wait after
     * each call and take the cores from whichever of the two runs next (measured on a DiT block: a Linear forward
     * of 8.5 ms took 12.5 ms, a training step 226 ms instead of 172 ms). Both libraries read these variables when
     * they load, like the kernel family; values the user set are kept.
     */
    private static void quietIdleThreads() {
        setIfAbsent("OMP_WAIT_POLICY", "PASSIVE");
        setIfAbsent("OPENBLAS_THREAD_TIMEOUT", "4");
    }

    private static void setIfAbsent(String name, String value) {
        String user = System.getenv(name);
        if (user != null && !user.isBlank()) {
            return;
        }
        try {
            if (org.bytedeco.systems.global.linux.setenv(name, value, 0) != 0) {
                log.debug("could not set {}", name);
            }
        } catch (Throwable t) {
            log.debug("could not set {}: {}", name, t.toString());
        }
    }

    private static boolean isLinux() {
        return System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux");
    }

    /** Whether a libopenblas is mapped into this process already. */
    static boolean openBlasLoaded() {
        try {
            return Files.readString(Path.of("/proc/self/maps")).contains("libopenblas");
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }
}
