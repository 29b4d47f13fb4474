package org.svgjava.core.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Resident memory of this process, as Linux reports it in /proc/self/status (-1 elsewhere), for benchmarks. */
public final class ProcessMemory {
    private ProcessMemory() {
    }

    /** Current resident memory in MB. */
    public static long residentMb() {
        return field("VmRSS") / 1024;
    }

    /** Peak resident memory in MB (since start, or since {@link #resetPeak()}). */
    public static long peakMb() {
        return field("VmHWM") / 1024;
    }

    /** Linux resets the peak when "5" is written to clear_refs; elsewhere the peak stays the process's. */
    public static void resetPeak() {
        try {
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");
        } catch (IOException | RuntimeException e) {
            // not Linux: the reported peak includes start-up
        }
    }

    private static long field(String name) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(name + ":")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return -1024;
    }
}
