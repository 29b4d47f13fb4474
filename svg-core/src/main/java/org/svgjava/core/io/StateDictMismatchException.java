package org.svgjava.core.io;

import java.nio.file.Path;
import java.util.List;

/** Strict loading found names or shapes that do not match the model; the message lists every one of them. */
public class StateDictMismatchException extends WeightFileException {
    private final transient LoadReport report;

    public StateDictMismatchException(Path file, LoadReport report) {
        super(file, null, "does not match the model: " + report.describeProblems());
        this.report = report;
    }

    public LoadReport report() {
        return report;
    }

    /** What a load did and did not match. */
    public record LoadReport(List<String> loaded, List<String> missing, List<String> unexpected, List<String> shapeMismatches) {
        public boolean isClean() {
            return missing.isEmpty() && unexpected.isEmpty() && shapeMismatches.isEmpty();
        }

        public String describeProblems() {
            StringBuilder sb = new StringBuilder();
            append(sb, "missing from the file", missing);
            append(sb, "unexpected in the file", unexpected);
            append(sb, "shape mismatches (file vs model)", shapeMismatches);
            return sb.toString();
        }

        private static void append(StringBuilder sb, String what, List<String> names) {
            if (names.isEmpty()) {
                return;
            }
            if (sb.length() > 0) {
                sb.append("; ");
            }
            sb.append(names.size()).append(' ').append(what).append(": ").append(String.join(", ", names));
        }
    }
}
