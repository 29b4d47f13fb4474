package org.svgjava.train.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ProgressTest {
    @Test
    void aTerminalGetsOneBarRedrawnInPlaceAndANewlineAtTheEnd() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        Progress p = Progress.on(new PrintStream(buf, true, StandardCharsets.UTF_8)).start("stage 2", 10, 0, 5);
        for (int k = 1; k <= 10; k++) {
            p.update(k, "loss 0.5");
        }
        String out = buf.toString(StandardCharsets.UTF_8);
        // the first update draws, the rest within 200 ms are skipped, the last always draws
        assertThat(out).startsWith("\rstage 2 [").contains("[" + "=".repeat(30) + "] 10/10 loss 0.5 (")
                .contains("ETA 0s").endsWith(System.lineSeparator());
        assertThat(out.chars().filter(c -> c == '\n').count()).isEqualTo(1);
        assertThat(out.split("\r").length - 1).as("redraws").isBetween(2, 10);
    }

    @Test
    void withoutATerminalNothingIsDrawn() {
        Progress p = Progress.LOG.start("encode", 100, 40, 32);
        p.update(72, "images");
        assertThat(p.line("images", false)).startsWith("encode 72/100 images (").contains("s each, ETA");
        assertThat(p.etaSeconds()).isGreaterThanOrEqualTo(0);
    }

    @Test
    void durationsReadAsAPersonWritesThem() {
        assertThat(Progress.duration(42.4)).isEqualTo("42s");
        assertThat(Progress.duration(185)).isEqualTo("3m05s");
        assertThat(Progress.duration(3720)).isEqualTo("1h02m");
    }
}
