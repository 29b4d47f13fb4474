package org.svgjava.train.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The whole pipeline at toy size: both stages, sampling, decoding, grids, curves and the summary. */
class DemoTest {
    @TempDir
    Path tmp;

    @Test
    void runsEndToEndAndWritesEveryOutput() throws Exception {
        Demo.Summary s = Demo.run(Demo.Settings.defaults().withOut(tmp).tiny());
        assertThat(s.randomDino()).isTrue();
        assertThat(s.chance()).isEqualTo(0.1);
        assertThat(s.sampleAccuracy()).isBetween(0.0, 1.0);
        assertThat(s.reconstructionPsnr()).isFinite();
        BufferedImage samples = ImageIO.read(tmp.resolve("samples.png").toFile());
        // one row per class, two samples per row at 32 px with 2 px padding
        assertThat(samples.getHeight()).isEqualTo(10 * 32 + 11 * 2);
        assertThat(samples.getWidth()).isEqualTo(2 * 32 + 3 * 2);
        assertThat(ImageIO.read(tmp.resolve("reconstructions.png").toFile())).isNotNull();
        assertThat(ImageIO.read(tmp.resolve("loss-autoencoder.png").toFile())).isNotNull();
        assertThat(ImageIO.read(tmp.resolve("loss-diffusion.png").toFile())).isNotNull();
        var json = new ObjectMapper().readTree(tmp.resolve("summary.json").toFile());
        assertThat(json.get("stage2_steps").asInt()).isEqualTo(6);
        assertThat(json.get("random_dino_stand_in").asBoolean()).isTrue();
        assertThat(tmp.resolve("latents.safetensors")).exists();
        assertThat(tmp.resolve("diffusion/checkpoints/step-0000006.safetensors")).exists();
        assertThat(tmp.resolve("autoencoder/checkpoints/step-0000004.safetensors")).exists();
    }

    /** Run again on a finished run: both stages resume at their last step, and the report keeps the history. */
    @Test
    void aSecondRunOnAFinishedRunReportsTheSameLosses() throws Exception {
        Demo.Settings settings = Demo.Settings.defaults().withOut(tmp).tiny();
        Demo.Summary first = Demo.run(settings);
        var firstJson = new ObjectMapper().readTree(tmp.resolve("summary.json").toFile());
        Demo.Summary second = Demo.run(settings);
        var secondJson = new ObjectMapper().readTree(tmp.resolve("summary.json").toFile());
        assertThat(first.stage2Loss()).isFinite();
        assertThat(second.stage2Loss()).isEqualTo(first.stage2Loss());
        assertThat(secondJson.get("stage2_final_loss").asDouble())
                .isEqualTo(firstJson.get("stage2_final_loss").asDouble());
    }
}
