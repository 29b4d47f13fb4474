package org.svgjava.core.blas;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;

/** The instruction-set flags of this machine's CPU, as Linux reports them in /proc/cpuinfo. */
public final class CpuFeatures {
    private static final Path CPUINFO = Path.of("/proc/cpuinfo");
    private static volatile Set<String> flags;

    private CpuFeatures() {
    }

    /** @return the flags (lower case), empty where the OS does not publish them */
    public static Set<String> flags() {
        Set<String> f = flags;
        if (f == null) {
            f = read();
            flags = f;
        }
        return f;
    }

    /**
     * The OpenBLAS kernel family whose instructions this CPU has, or null when OpenBLAS's own detection is as good
     * as anything we could pick (no AVX2, or not x86-64).
     */
    public static String openBlasCoreType(Set<String> f) {
        if (f.containsAll(Set.of("avx512f", "avx512bw", "avx512dq", "avx512vl", "avx512cd"))) {
            return "SkylakeX";
        }
        if (f.containsAll(Set.of("avx2", "fma"))) {
            return "Haswell";
        }
        return null;
    }

    private static Set<String> read() {
        Set<String> out = new TreeSet<>();
        if (!Files.isReadable(CPUINFO)) {
            return out;
        }
        try {
            for (String line : Files.readAllLines(CPUINFO)) {
                if (line.startsWith("flags") && line.contains(":")) {
                    out.addAll(Arrays.asList(line.substring(line.indexOf(':') + 1).trim().split("\\s+")));
                    break;
                }
            }
        } catch (IOException e) {
            // no flags: the caller falls back to OpenBLAS's own detection
        }
        return out;
    }
}
