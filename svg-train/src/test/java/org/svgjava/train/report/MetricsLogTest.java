package org.svgjava.train.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetricsLogTest {
    @TempDir
    Path dir;

    @Test
    void linesAreFlushedAsWrittenAndParseBack() throws IOException {
        Path file = dir.resolve("run/metrics.jsonl");
        try (MetricsLog log = MetricsLog.open(file)) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("loss", 0.5);
            m.put("lr", 1e-4);
            m.put("phase", "warmup");
            log.log(1, m);
            // visible on disk before close: a crash after this point loses nothing
            assertThat(Files.readAllLines(file)).containsExactly(
                    "{\"step\":1,\"loss\":0.5,\"lr\":1.0E-4,\"phase\":\"warmup\"}");
            log.log(2, Map.of("loss", 0.25f));
            log.log(3, Map.of("loss", Double.NaN));
        }
        try (MetricsLog log = MetricsLog.open(file)) {
            log.log(4, Map.of("loss", 0.125, "step", 999));
        }
        List<JsonNode> rows = MetricsLog.readAll(file);
        assertThat(rows).hasSize(4);
        assertThat(rows.get(0).get("lr").asDouble()).isEqualTo(1e-4);
        assertThat(rows.get(0).get("phase").asText()).isEqualTo("warmup");
        assertThat(rows.get(3).get("step").asLong()).as("the step argument wins over a 'step' value").isEqualTo(4);

        double[][] loss = MetricsLog.series(file, "loss");
        assertThat(loss[0]).containsExactly(1, 2, 3, 4);
        assertThat(loss[1][0]).isEqualTo(0.5);
        assertThat(loss[1][1]).isEqualTo(0.25);
        assertThat(loss[1][2]).isNaN();
        assertThat(loss[1][3]).isEqualTo(0.125);
        assertThat(MetricsLog.series(file, "lr")[0]).containsExactly(1);
    }

    @Test
    void aLineCutShortByACrashIsDroppedOnReopen() throws IOException {
        Path file = dir.resolve("metrics.jsonl");
        try (MetricsLog log = MetricsLog.open(file)) {
            log.log(10, Map.of("loss", 1.0));
        }
        Files.writeString(file, "{\"step\":11,\"lo", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        try (MetricsLog log = MetricsLog.open(file)) {
            log.log(11, Map.of("loss", 0.9));
        }
        assertThat(MetricsLog.series(file, "loss")[0]).containsExactly(10, 11);
    }

    @Test
    void truncateAfterStepKeepsTheResumedPrefix() throws IOException {
        Path file = dir.resolve("metrics.jsonl");
        try (MetricsLog log = MetricsLog.open(file)) {
            for (int s = 1; s <= 6; s++) {
                log.log(s * 100, Map.of("loss", 1.0 / s));
            }
        }
        MetricsLog.truncateAfterStep(file, 300);
        assertThat(MetricsLog.series(file, "loss")[0]).containsExactly(100, 200, 300);
        try (MetricsLog log = MetricsLog.open(file)) {
            log.log(400, Map.of("loss", 0.2));
        }
        assertThat(MetricsLog.series(file, "loss")[0]).containsExactly(100, 200, 300, 400);
    }

    @Test
    void metricsFeedTheLossCurves() throws IOException {
        Path file = dir.resolve("metrics.jsonl");
        try (MetricsLog log = MetricsLog.open(file)) {
            for (int s = 0; s < 30; s++) {
                log.log(s, Map.of("loss", 2.0 / (s + 1)));
            }
        }
        Path png = dir.resolve("loss.png");
        LossCurves.write(png, Map.of("loss", MetricsLog.series(file, "loss")));
        assertThat(javax.imageio.ImageIO.read(png.toFile())).isNotNull();
    }
}
