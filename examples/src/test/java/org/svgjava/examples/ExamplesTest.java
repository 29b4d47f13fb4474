package org.svgjava.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The examples' mains at toy size: what a researcher copies must run. */
class ExamplesTest {
    @TempDir
    Path tmp;

    @Test
    void trainTwoStageThenReconstructFromItsCheckpoint() throws Exception {
        Path out = tmp.resolve("two-stage");
        TrainTwoStage.main(new String[] {"--out", out.toString(), "--ae-steps", "2", "--dit-steps", "2",
            "--per-class", "3"});
        Path ckpt = out.resolve("autoencoder/checkpoints/step-0000002.safetensors");
        assertThat(ckpt).exists();
        assertThat(out.resolve("latents.safetensors")).exists();
        assertThat(out.resolve("autoencoder/reconstructions-step-0000002.png")).exists();
        BufferedImage samples = ImageIO.read(out.resolve("diffusion/samples-step-0000002.png").toFile());
        assertThat(samples.getHeight()).as("one row per class").isEqualTo(10 * 32 + 11 * 2);
        assertThat(samples.getWidth()).isEqualTo(4 * 32 + 5 * 2);

        Path grid = tmp.resolve("recon.png");
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            Reconstruct.main(new String[] {"--autoencoder", ckpt.toString(), "--out", grid.toString(), "--limit", "8"});
        } finally {
            System.setOut(old);
        }
        assertThat(buf.toString(StandardCharsets.UTF_8)).containsPattern("8 images, PSNR [0-9.]+ dB");
        BufferedImage recon = ImageIO.read(grid.toFile());
        assertThat(recon.getWidth()).isEqualTo(8 * 32 + 9 * 2);
        assertThat(recon.getHeight()).isEqualTo(2 * 32 + 3 * 2);
    }
}
