package org.svgjava.core.io;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A weight file that cannot be read as asked. The message always names the file, the tensor where there is one,
 * and the problem, so a user can tell a truncated download from a wrong checkpoint.
 */
public class WeightFileException extends IOException {
    private final transient Path file;
    private final String tensor;

    public WeightFileException(Path file, String tensor, String problem) {
        this(file, tensor, problem, null);
    }

    public WeightFileException(Path file, String tensor, String problem, Throwable cause) {
        super(format(file, tensor, problem), cause);
        this.file = file;
        this.tensor = tensor;
    }

    public Path file() {
        return file;
    }

    /** @return the tensor the problem is in, or null when it concerns the whole file */
    public String tensor() {
        return tensor;
    }

    private static String format(Path file, String tensor, String problem) {
        StringBuilder sb = new StringBuilder();
        sb.append(file == null ? "<unknown file>" : file.toString());
        if (tensor != null) {
            sb.append(": tensor '").append(tensor).append('\'');
        }
        return sb.append(": ").append(problem).toString();
    }
}
