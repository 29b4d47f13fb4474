package org.svgjava.train.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.svgjava.core.io.AtomicFiles;

/**
 * A JSON-lines metrics file ({@code metrics.jsonl}): one object per line, {@code {"step": 100, "loss": 0.42, ...}},
 * appended and flushed line by line so that {@code tail -f} and a crash both see every finished step.
 *
 * <p>Opening an existing file appends to it. A last line cut short by a crash is removed first, so the file stays
 * parseable line by line. Non-finite numbers are written as the strings {@code "NaN"}, {@code "Infinity"} and
 * {@code "-Infinity"} (Jackson's default, valid JSON) and read back as numbers by {@link #series}.
 */
public final class MetricsLog implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MetricsLog.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;
    private final BufferedWriter out;

    private MetricsLog(Path file, BufferedWriter out) {
        this.file = file;
        this.out = out;
    }

    /** Opens {@code file} for appending, creating it and its folder if needed. */
    public static MetricsLog open(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        dropPartialLastLine(file);
        BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND, StandardOpenOption.WRITE);
        return new MetricsLog(file, w);
    }

    private static void dropPartialLastLine(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            return;
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long size = ch.size();
            if (size == 0 || lastByte(ch, size) == '\n') {
                return;
            }
            long keep = size - 1;
            while (keep > 0 && lastByte(ch, keep) != '\n') {
                keep--;
            }
            LOG.warn("metrics log {}: dropping an unfinished last line ({} bytes) left by an interrupted run", file,
                    size - keep);
            ch.truncate(keep);
        }
    }

    /** The byte just before offset {@code end}. */
    private static int lastByte(FileChannel ch, long end) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(1);
        ch.read(b, end - 1);
        return b.get(0);
    }

    /** Appends {@code {"step": step, ...values}} as one line and flushes it. */
    public synchronized void log(long step, Map<String, ?> values) throws IOException {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("step", step);
        for (Map.Entry<String, ?> e : values.entrySet()) {
            if (!e.getKey().equals("step")) {
                line.put(e.getKey(), e.getValue());
            }
        }
        out.write(JSON.writeValueAsString(line));
        out.write('\n');
        out.flush();
    }

    public Path file() {
        return file;
    }

    @Override
    public synchronized void close() throws IOException {
        out.close();
    }

    /** Every line of {@code file} as a JSON object, in order. */
    public static List<JsonNode> readAll(Path file) throws IOException {
        List<JsonNode> rows = new ArrayList<>();
        int lineNo = 0;
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            lineNo++;
            if (line.isBlank()) {
                continue;
            }
            try {
                rows.add(JSON.readTree(line));
            } catch (IOException e) {
                throw new IOException("metrics log " + file + " line " + lineNo + " is not JSON: " + e.getMessage(), e);
            }
        }
        return rows;
    }

    /** {@code {steps, values}} of {@code key} over the lines that have it: the input {@link LossCurves} takes. */
    public static double[][] series(Path file, String key) throws IOException {
        List<double[]> points = new ArrayList<>();
        for (JsonNode row : readAll(file)) {
            JsonNode v = row.get(key);
            if (v != null && row.has("step") && (v.isNumber() || v.isTextual())) {
                points.add(new double[] {row.get("step").asDouble(), number(v)});
            }
        }
        double[][] out = new double[2][points.size()];
        for (int i = 0; i < points.size(); i++) {
            out[0][i] = points.get(i)[0];
            out[1][i] = points.get(i)[1];
        }
        return out;
    }

    private static double number(JsonNode v) {
        if (v.isNumber()) {
            return v.asDouble();
        }
        try {
            return Double.parseDouble(v.asText());
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    /**
     * Rewrites {@code file} keeping only the lines whose step is at most {@code step}, so that a run resumed from
     * a checkpoint at that step does not log the steps after it twice. Atomic: the old file stays if this fails.
     */
    public static void truncateAfterStep(Path file, long step) throws IOException {
        if (!Files.isRegularFile(file)) {
            return;
        }
        dropPartialLastLine(file);
        List<String> keep = new ArrayList<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            if (line.isBlank()) {
                continue;
            }
            JsonNode row;
            try {
                row = JSON.readTree(line);
            } catch (IOException e) {
                throw new IOException("metrics log " + file + " has a line that is not JSON: " + line, e);
            }
            if (!row.has("step") || row.get("step").asLong() <= step) {
                keep.add(line);
            }
        }
        AtomicFiles.write(file, o -> {
            for (String line : keep) {
                o.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            }
        });
    }
}
